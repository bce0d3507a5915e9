import { defineEvents, event, PayloadsOf } from 'src/platform/events';

export interface ContributionReceivedEvent {
  contributionId: string;
  model: string;
  /** Rows in the request; 0 for a large upload, whose rows are counted when it is processed. */
  rows: number;
  walletAddress: string;
}

export interface ContributionProcessedEvent {
  contributionId: string;
  model: string;
  status: 'accepted' | 'rejected';
  reason: string | null;
  code: string | null;
  acceptedRows: number;
  datasetHash: string | null;
}

interface ContributionMovedEvent {
  contributionId: string;
  model: string;
  walletAddress: string;
}

export interface ContributionIncludedEvent extends ContributionMovedEvent {
  /** The trained model and version. */
  modelName: string;
  version: number;
}

export interface ContributionRewardedEvent extends ContributionMovedEvent {
  txHash: string | null;
  rewardId: string | null;
}

export interface ContributorErasedEvent {
  walletAddress: string;
  model: string;
  contributionIds: string[];
  datasetHashes: Array<string | null>;
  rowsErased: number;
  by: 'signature' | 'admin';
  erasedAt: string;
}

export const CONTRIBUTIONS_EVENTS = defineEvents('contributions', {
  'contribution.received': event<ContributionReceivedEvent>(
    'A data contribution was accepted for processing. data: contribution id, model, rows, wallet.',
  ),
  'contribution.processed': event<ContributionProcessedEvent>(
    'A contribution was accepted or rejected. data: contribution id, model, status, reason, code, acceptedRows, ' +
      'datasetHash.',
  ),
  'contribution.included_in_training': event<ContributionIncludedEvent>(
    'An accepted contribution was used by a training run. data: contribution id, model, wallet, the trained ' +
      'model name and version.',
  ),
  'contribution.rewarded': event<ContributionRewardedEvent>(
    'A contribution used in training was rewarded. data: contribution id, model, wallet, txHash, rewardId.',
  ),
  'contributor.erased': event<ContributorErasedEvent>(
    "A contributor (wallet) had its rows' contents erased; one event per model concerned, once. data: " +
      'walletAddress, model, contributionIds, datasetHashes, rowsErased, by (signature or admin), erasedAt. ' +
      'Hashes, counts and lineage stay; models already trained on the rows are not retrained.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof CONTRIBUTIONS_EVENTS> {}
}
