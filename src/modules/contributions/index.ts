export { ContributionsModule } from './contributions.module';
export { AcceptedRow, ContributionSettings, ContributionsService } from './contributions.service';
export { ContributionError } from './contributions.errors';
export { ContributionEntity, ContributionStatus, CONTRIBUTION_STATUSES } from './contribution.entity';
export { ContributionRowEntity } from './contribution-row.entity';
export { ContributionSettingsEntity } from './contribution-settings.entity';
export {
  canonicalJson,
  datasetHash,
  datasetHashOfRows,
  normaliseWallet,
  rowHash,
  signatureMessage,
} from './contribution.rules';
