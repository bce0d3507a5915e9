import { defineEvents, event, PayloadsOf } from 'src/platform/events';
import { DatasetKind } from './datasets.types';

export interface DatasetCreatedEvent {
  datasetId: string;
  model: string;
  kind: DatasetKind;
  /** `sha256:<64 hex>` over the sorted distinct row hashes. */
  hash: string;
  rowCount: number;
  /** Whether it became the model's active benchmark (the model's first benchmark does). */
  active: boolean;
}

export const DATASETS_EVENTS = defineEvents('datasets', {
  'dataset.created': event<DatasetCreatedEvent>(
    'A benchmark or training dataset was stored. data: dataset id, model, kind, hash, rowCount, active.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof DATASETS_EVENTS> {}
}
