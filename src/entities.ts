import { DeltaOneSettingsEntity, EvaluationEntity, EvaluationOutcomesEntity } from './modules/deltaone';
import { ModelAliasEntity, ModelAliasHistoryEntity, ModelEntity, ModelVersionEntity } from './modules/registry';
import {
  ContributionEntity,
  ContributionRowEntity,
  ContributionSettingsEntity,
  ContributionUploadEntity,
  ContributionUploadPartEntity,
  ContributionColumnStatsEntity,
} from './modules/contributions';
import { DatasetEntity, DatasetRowEntity } from './modules/datasets';
import {
  ExperimentEntity,
  ExperimentUnitEntity,
  ClientRequestIdEntity,
  ExperimentOutcomeEntity,
  PredictionBatchEntity,
  VariantTotalsEntity,
} from './modules/experiments';
import { AuditRecordEntity } from './platform/audit';
import { RetentionRunEntity } from './modules/retention';
import { ApiKeyEntity } from './platform/auth';
import { ChainContractEntity } from './platform/chain';
import { RewardEntity, RewardSettingsEntity } from './modules/rewards';
import { WebhookAttemptEntity, WebhookDeliveryEntity, WebhookEndpointEntity } from './modules/webhooks';
import { EventEntity } from './platform/events';
import { TrainingPolicyEntity, TrainingRunEntity } from './modules/training';
import { IdempotencyKeyEntity } from './platform/idempotency';

/** Every TypeORM entity of the app: the app, the TypeORM CLI and the migration drift check all use this list. */
export const ENTITIES = [
  ApiKeyEntity,
  AuditRecordEntity,
  EventEntity,
  IdempotencyKeyEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
  WebhookAttemptEntity,
  ModelEntity,
  ModelVersionEntity,
  ModelAliasEntity,
  ModelAliasHistoryEntity,
  ContributionEntity,
  ContributionRowEntity,
  ContributionSettingsEntity,
  ContributionUploadEntity,
  ContributionUploadPartEntity,
  ContributionColumnStatsEntity,
  DatasetEntity,
  DatasetRowEntity,
  DeltaOneSettingsEntity,
  EvaluationEntity,
  EvaluationOutcomesEntity,
  RetentionRunEntity,
  ChainContractEntity,
  RewardSettingsEntity,
  RewardEntity,
  TrainingRunEntity,
  TrainingPolicyEntity,
  ExperimentEntity,
  PredictionBatchEntity,
  ExperimentOutcomeEntity,
  ClientRequestIdEntity,
  VariantTotalsEntity,
  ExperimentUnitEntity,
];
