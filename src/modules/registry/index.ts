export { createArtifactStorage, RegistryModule } from './registry.module';
export { ArtifactStorage } from './artifact-storage';
export { RegisteredModel } from './registered-model';
export {
  AliasedVersion,
  FeatureSchema,
  NewVersionMetadata,
  RegistryService,
  ResolvedVersion,
  VersionRef,
} from './registry.service';
export { RegistryError, RegistryErrorCode } from './registry.errors';
export { assertVisible, assertWritable, canSee, canWrite, ModelAccess } from './model-access';
export {
  BatchingSettings,
  BenchmarkMetric,
  benchmarkDelta,
  FeatureSpec,
  FeatureType,
  LabelKind,
  MetricDirection,
  MODEL_NAME,
  MODEL_NAME_MESSAGE,
  PRODUCTION,
  TensorSpec,
  VersionSignature,
} from './registry.rules';
export { ModelEntity } from './model.entity';
export { ModelVersionEntity } from './model-version.entity';
export { ModelAliasEntity } from './model-alias.entity';
export { ModelAliasHistoryEntity } from './model-alias-history.entity';
export {
  AliasDeletedEvent,
  AliasMovedEvent,
  ModelArchivedEvent,
  ModelChangedEvent,
  ModelRef,
  REGISTRY_EVENTS,
  VersionCreatedEvent,
  VersionUpdatedEvent,
} from './registry.events';
