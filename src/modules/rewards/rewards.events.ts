import { defineEvents, event, PayloadsOf } from 'src/platform/events';

export interface RewardMintedEvent {
  rewardId: string;
  evaluationId: string;
  model: string;
  tokenId: string;
  token: string;
  txHash: string;
  blockNumber: number;
  confirmations: number;
  attestationHash: string;
  /** Smallest units (18 decimals), as decimal strings. */
  total: string;
  amounts: Array<{ walletAddress: string; amount: string }>;
}

export interface RewardFailedEvent {
  rewardId: string;
  evaluationId: string;
  model: string;
  /** `award`: nothing was minted by design (PAUSED, NO_CONTRIBUTORS, BUDGET_EXHAUSTED, ZERO_REWARD); `mint`: the chain refused. */
  stage: 'award' | 'mint';
  reason: string;
  detail: string | null;
}

export const REWARDS_EVENTS = defineEvents('rewards', {
  'reward.minted': event<RewardMintedEvent>(
    'A DeltaOne reward was minted and confirmed on chain. data: reward and evaluation ids, model, token id and ' +
      'address, txHash, block, confirmations, attestationHash, total and amounts per wallet (smallest units).',
  ),
  'reward.failed': event<RewardFailedEvent>(
    'An accepted DeltaOne minted nothing. data: reward and evaluation ids, model, stage (award: PAUSED, ' +
      'NO_CONTRIBUTORS, BUDGET_EXHAUSTED, ZERO_REWARD; mint: the chain refused for good), reason, detail.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof REWARDS_EVENTS> {}
}
