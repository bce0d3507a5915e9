export { DatasetsModule } from './datasets.module';
export { DatasetsService } from './datasets.service';
export { DatasetError } from './datasets.errors';
export { DatasetEntity } from './dataset.entity';
export { DatasetRowEntity } from './dataset-row.entity';
export { DATASET_KINDS, DatasetKind, DatasetRecord, DatasetRow, FeatureChunk } from './datasets.types';
export { DATASETS_EVENTS, DatasetCreatedEvent } from './datasets.events';
