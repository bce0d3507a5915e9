import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from 'src/platform/metrics';

const UNIT = 10n ** 18n;

/** Minted tokens and failed mints in Prometheus (the dashboard's panels and the RewardMintFailures alert). */
@Injectable()
export class RewardsMetrics {
  readonly minted: Counter<'token'>;
  readonly failures: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.minted = new Counter({
      name: 'rewards_minted_tokens_total',
      help: 'Tokens minted to contributors and confirmed, in whole tokens, by token id',
      labelNames: ['token'] as const,
      registers,
    });
    this.failures = new Counter({
      name: 'rewards_mint_failures_total',
      help: 'Rewards whose mint failed for good (a refusal the chain will not change its mind on)',
      registers,
    });
  }

  /** A display figure only: money stays bigint everywhere else. */
  countMinted(tokenId: string, total: bigint): void {
    this.minted.inc({ token: tokenId }, Number(total / UNIT) + Number(total % UNIT) / 1e18);
  }
}
