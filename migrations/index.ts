import { Init1795505152999 } from './1795505152999-Init';
import { Events1795505376169 } from './1795505376169-Events';
import { Webhooks1795506840739 } from './1795506840739-Webhooks';
import { Idempotency1795507130699 } from './1795507130699-Idempotency';
import { ApiKeyCreatedAtMs1795508009927 } from './1795508009927-ApiKeyCreatedAtMs';
import { Registry1795508541047 } from './1795508541047-Registry';
import { Contributions1795510810133 } from './1795510810133-Contributions';
import { ContributionUploads1795512193875 } from './1795512193875-ContributionUploads';
import { ContributionIdempotencyKey1795512636905 } from './1795512636905-ContributionIdempotencyKey';
import { ContributionStreaming1795514379463 } from './1795514379463-ContributionStreaming';
import { Retention1796546062540 } from './1796546062540-Retention';
import { AuditLog1796546220833 } from './1796546220833-AuditLog';
import { ContributorErasure1796546357553 } from './1796546357553-ContributorErasure';
import { ChainContracts1796549279527 } from './1796549279527-ChainContracts';
import { Rewards1796554878394 } from './1796554878394-Rewards';
import { Datasets1796555030160 } from './1796555030160-Datasets';
import { Experiments1796555060108 } from './1796555060108-Experiments';
import { DeltaOne1796555444293 } from './1796555444293-DeltaOne';
import { DatasetRowFeatures1796556000000 } from './1796556000000-DatasetRowFeatures';
import { ExperimentPredictions1796557193811 } from './1796557193811-ExperimentPredictions';
import { Training1796560000000 } from './1796560000000-Training';
import { ExperimentAutoPromotion1796570000000 } from './1796570000000-ExperimentAutoPromotion';
import { EvaluationOutcomesUncompressed1796580000000 } from './1796580000000-EvaluationOutcomesUncompressed';
import { ExperimentTotals1796590000000 } from './1796590000000-ExperimentTotals';
import { PredictionBatches1796600000000 } from './1796600000000-PredictionBatches';

/** Every migration, in order. `npm run migration:generate --name=Name` writes a new file; add its class here. */
export const MIGRATIONS = [
  Init1795505152999,
  Events1795505376169,
  Webhooks1795506840739,
  Idempotency1795507130699,
  ApiKeyCreatedAtMs1795508009927,
  Registry1795508541047,
  Contributions1795510810133,
  ContributionUploads1795512193875,
  ContributionIdempotencyKey1795512636905,
  ContributionStreaming1795514379463,
  Retention1796546062540,
  AuditLog1796546220833,
  ContributorErasure1796546357553,
  ChainContracts1796549279527,
  Rewards1796554878394,
  Datasets1796555030160,
  Experiments1796555060108,
  DeltaOne1796555444293,
  DatasetRowFeatures1796556000000,
  ExperimentPredictions1796557193811,
  Training1796560000000,
  ExperimentAutoPromotion1796570000000,
  EvaluationOutcomesUncompressed1796580000000,
  ExperimentTotals1796590000000,
  PredictionBatches1796600000000,
];
