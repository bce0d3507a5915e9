import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ContributionsService } from 'src/modules/contributions';
import { ChainError, ChainService, MintResult } from 'src/platform/chain';
import { chainConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { RewardsMetrics } from './rewards.metrics';
import { RewardEntity } from './reward.entity';

// Refusals that no retry can change: the reward fails with the code as its reason.
const PERMANENT = new Set([
  'KEY_ALREADY_USED',
  'LENGTH_MISMATCH',
  'EMPTY_BATCH',
  'INVALID_RECIPIENT',
  'INVALID_AMOUNT',
  'INVALID_ARGUMENT',
]);

type MintPatch = Partial<
  Pick<
    RewardEntity,
    | 'status'
    | 'attempts'
    | 'txHash'
    | 'blockNumber'
    | 'tokenAddress'
    | 'confirmations'
    | 'confirmedAt'
    | 'failureReason'
  >
>;

/** A mint that cannot finish now (chain down, confirmations pending): the job is retried later, the reward stays. */
export class MintNotFinished extends Error {}

/**
 * Mints a reward exactly once: the chain is asked first whether the reward's key was used (a crash after the
 * send, another replica), so a retry records the first mint instead of sending again; the minter itself refuses a
 * used key. Confirmation, the contributions' move to `rewarded` and `reward.minted` share one transaction.
 */
@Injectable()
export class MintService {
  private readonly logger = new Logger('RewardMint');

  constructor(
    private readonly txHost: TxHost,
    private readonly chain: ChainService,
    private readonly contributions: ContributionsService,
    private readonly events: EventsService,
    @Inject(chainConfig.KEY) private readonly config: ConfigType<typeof chainConfig>,
    private readonly metrics: RewardsMetrics,
  ) {}

  /** One attempt; throws MintNotFinished (or a chain error) when it must be tried again. */
  async run(rewardId: string): Promise<RewardEntity> {
    let reward = await this.load(rewardId);
    if (!['pending', 'submitted'].includes(reward.status)) return reward;
    await this.update(reward.id, { attempts: reward.attempts + 1 });
    try {
      const mined = reward.blockNumber === null ? await this.mintOnce(reward) : undefined;
      if (mined) {
        reward = await this.update(reward.id, {
          status: 'submitted',
          txHash: mined.txHash,
          blockNumber: mined.blockNumber,
          tokenAddress: mined.token,
        });
      }
      return await this.confirm(reward);
    } catch (err) {
      if (err instanceof ChainError && PERMANENT.has(err.code)) return this.fail(reward, err);
      throw err;
    }
  }

  private async mintOnce(reward: RewardEntity): Promise<MintResult> {
    const first = await this.chain.findMint(reward.mintKey);
    if (first) {
      this.logger.log(`reward ${reward.id}: key ${reward.mintKey} already minted in ${first.txHash}; recording it`);
      return first;
    }
    const paid = reward.recipients.filter((r) => BigInt(r.amount) > 0n);
    const token = await this.chain.ensureToken(reward.tokenId);
    if (reward.tokenAddress !== token) await this.update(reward.id, { tokenAddress: token });
    return this.chain.mintBatch({
      tokenId: reward.tokenId,
      key: reward.mintKey,
      attestationHash: reward.attestationHash,
      recipients: paid.map((r) => r.walletAddress),
      amounts: paid.map((r) => BigInt(r.amount)),
      onSent: async (txHash) => {
        await this.update(reward.id, { status: 'submitted', txHash });
      },
    });
  }

  private async confirm(reward: RewardEntity): Promise<RewardEntity> {
    const confirmations = await this.chain.confirmations(reward.blockNumber!);
    if (confirmations < this.config.REWARD_CONFIRMATIONS) {
      await this.update(reward.id, { confirmations });
      throw new MintNotFinished(
        `reward ${reward.id}: ${confirmations} of ${this.config.REWARD_CONFIRMATIONS} confirmations`,
      );
    }
    let confirmedNow = false;
    const confirmed = await this.txHost.withTransaction(async () => {
      const locked = await this.load(reward.id, true);
      if (locked.status === 'confirmed') return locked;
      confirmedNow = true;
      const done = await this.update(reward.id, { status: 'confirmed', confirmations, confirmedAt: new Date() });
      const ids = locked.recipients.flatMap((r) => r.contributionIds);
      await this.contributions.markLineageRewarded(ids, { txHash: locked.txHash ?? undefined, rewardId: locked.id });
      await this.events.publish(
        'reward.minted',
        {
          rewardId: locked.id,
          evaluationId: locked.evaluationId,
          model: locked.modelName,
          tokenId: locked.tokenId,
          token: locked.tokenAddress!,
          txHash: locked.txHash!,
          blockNumber: locked.blockNumber!,
          confirmations,
          attestationHash: locked.attestationHash,
          total: locked.total,
          amounts: locked.recipients.map((r) => ({ walletAddress: r.walletAddress, amount: r.amount })),
        },
        { modelName: locked.modelName, owner: locked.modelOwner },
      );
      return done;
    });
    if (confirmedNow) this.metrics.countMinted(confirmed.tokenId, BigInt(confirmed.total));
    return confirmed;
  }

  private async fail(reward: RewardEntity, err: ChainError): Promise<RewardEntity> {
    this.logger.error(`reward ${reward.id} failed: ${err.code}: ${err.detail}`);
    const failed = await this.txHost.withTransaction(async () => {
      const done = await this.update(reward.id, { status: 'failed', failureReason: `${err.code}: ${err.detail}` });
      await this.events.publish(
        'reward.failed',
        {
          rewardId: reward.id,
          evaluationId: reward.evaluationId,
          model: reward.modelName,
          stage: 'mint',
          reason: err.code,
          detail: err.detail,
        },
        { modelName: reward.modelName, owner: reward.modelOwner },
      );
      return done;
    });
    this.metrics.failures.inc();
    return failed;
  }

  private async load(id: string, lock = false): Promise<RewardEntity> {
    return this.txHost.tx
      .getRepository(RewardEntity)
      .findOneOrFail({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  private async update(id: string, patch: MintPatch): Promise<RewardEntity> {
    await this.txHost.tx.getRepository(RewardEntity).update({ id }, patch);
    return this.load(id);
  }
}
