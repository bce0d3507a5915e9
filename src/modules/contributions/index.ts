export { ContributionsModule } from './contributions.module';
export {
  AcceptedRow,
  ContributionSettings,
  ContributionsService,
  CreditedContribution,
  LARGE_UPLOAD_QUEUE,
  LineageCredit,
  RewardRef,
  TrainingRef,
  TrainingRow,
} from './contributions.service';
export { ContributionError } from './contributions.errors';
export { ContributorRightsService } from './contributor-rights.service';
export { contributorMessage } from './contributor-proof';
export { ContributionEntity, ContributionStatus, CONTRIBUTION_STATUSES } from './contribution.entity';
export { ContributionRowEntity } from './contribution-row.entity';
export { ContributionSettingsEntity } from './contribution-settings.entity';
export { ContributionUploadEntity } from './contribution-upload.entity';
export { ContributionUploadPartEntity } from './contribution-upload-part.entity';
export { ContributionColumnStatsEntity } from './contribution-column-stats.entity';
export { MIN_REFERENCE_ROWS, QualityReport } from './contribution-quality';
export {
  canonicalJson,
  ColumnSpec,
  datasetHash,
  datasetHashOfRows,
  expectedColumns,
  normaliseWallet,
  Row,
  rowHash,
  RowProblem,
  RowProblemCode,
  signatureMessage,
  typeTextRow,
  validateRows,
} from './contribution.rules';
export { formatOf, readRows, UploadFormat } from './contribution-upload';
export { MAX_LISTED } from './contribution-pipeline';
export {
  CONTRIBUTIONS_EVENTS,
  ContributionIncludedEvent,
  ContributionProcessedEvent,
  ContributionReceivedEvent,
  ContributionRewardedEvent,
  ContributorErasedEvent,
} from './contributions.events';
