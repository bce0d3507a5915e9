import { ModelAliasEntity, ModelAliasHistoryEntity, ModelEntity, ModelVersionEntity } from './modules/registry';
import { ApiKeyEntity } from './platform/auth';
import { EventEntity } from './platform/events';

/** Every TypeORM entity of the app: the app, the TypeORM CLI and the migration drift check all use this list. */
export const ENTITIES = [
  ApiKeyEntity,
  EventEntity,
  ModelEntity,
  ModelVersionEntity,
  ModelAliasEntity,
  ModelAliasHistoryEntity,
];
