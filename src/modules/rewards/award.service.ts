import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ContributionsService } from 'src/modules/contributions';
import type { AcceptedDeltaOne } from 'src/modules/deltaone';
import { RegistryService } from 'src/modules/registry';
import { attesterKey, chainConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { jobIdFor, QueueService } from 'src/platform/queue';
import { attestationDocument, attestationHash, mintKey, signAttestation } from './attestation';
import { decideReward, largestRemainderBps, splitShares } from './reward-math';
import { RewardSettingsService } from './reward-settings.service';
import { RewardEntity, RewardRecipient } from './reward.entity';
import { RewardsError } from './rewards.errors';

export const REWARDS_MINT_QUEUE = 'rewards.mint';

/**
 * Turns an accepted DeltaOne into its reward in one transaction: the lineage's weights, the signed attestation,
 * the split (or the reason nothing is paid) and the durable mint job. Run twice for one evaluation, it finds the
 * reward it made the first time.
 */
@Injectable()
export class AwardService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly contributions: ContributionsService,
    private readonly settings: RewardSettingsService,
    private readonly events: EventsService,
    private readonly queue: QueueService,
    @Inject(chainConfig.KEY) private readonly chain: ConfigType<typeof chainConfig>,
  ) {}

  async award(d: AcceptedDeltaOne): Promise<RewardEntity> {
    const key = attesterKey(this.chain);
    if (!key) throw new RewardsError('ATTESTER_KEY_MISSING', 'Set ATTESTER_PRIVATE_KEY (or MINTER_PRIVATE_KEY).');
    const model = await this.registry.getModel(d.modelName);
    const candidate = await this.registry.resolve(d.modelName, { version: d.candidate.version });
    return this.txHost.withTransaction(async () => {
      const repo = this.txHost.tx.getRepository(RewardEntity);
      const policy = await this.settings.policy(d.modelId, true);
      const done = await repo.findOneBy({ evaluationId: d.evaluationId });
      if (done) return done;

      // A contribution is paid by one DeltaOne: those in a reward already pending or paid count no more.
      const paid = await this.paidContributions(d.modelId);
      const open = candidate.contributionIds.filter((id) => !paid.has(id));
      const credits = await this.contributions.lineageCredits(d.modelId, open);
      const weights = largestRemainderBps(credits.map((c) => BigInt(c.creditedRows)));
      const attested = credits.map((c, i) => ({
        walletAddress: c.walletAddress,
        creditedRows: c.creditedRows,
        weightBps: Number(weights[i]),
      }));
      const document = attestationDocument(d, attested);
      const hash = attestationHash(document);
      const mint = mintKey(d.modelId, hash);
      const signed = await signAttestation(key, this.chain.CHAIN_ID, {
        evaluationId: d.evaluationId,
        modelId: d.modelId,
        attestationHash: hash,
        mintKey: mint,
      });

      const decision = decideReward(d.deltaBps, credits.length, policy);
      const total = 'total' in decision ? decision.total : 0n;
      const shares = splitShares(total, weights);
      const recipients: RewardRecipient[] = credits.map((c, i) => ({
        walletAddress: c.walletAddress,
        creditedRows: c.creditedRows,
        weightBps: Number(weights[i]),
        amount: String(shares[i]),
        contributionIds: c.contributionIds,
      }));
      const reward = await repo.save(
        repo.create({
          evaluationId: d.evaluationId,
          modelId: d.modelId,
          modelName: d.modelName,
          modelOwner: model.owner,
          tokenId: d.tokenId,
          status: 'total' in decision ? 'pending' : 'skipped',
          reason: 'reason' in decision ? decision.reason : null,
          deltaBps: d.deltaBps,
          total: String(total),
          wanted: String('wanted' in decision ? decision.wanted : total),
          recipients,
          wallets: credits.map((c) => c.walletAddress.toLowerCase()),
          attestation: document,
          attestationHash: hash,
          signature: signed.signature,
          signer: signed.signer,
          chainId: this.chain.CHAIN_ID,
          mintKey: mint,
        }),
      );
      if ('reason' in decision) {
        await this.events.publish(
          'reward.failed',
          {
            rewardId: reward.id,
            evaluationId: d.evaluationId,
            model: d.modelName,
            stage: 'award',
            reason: decision.reason,
            detail: null,
          },
          { modelName: d.modelName, owner: model.owner },
        );
      } else {
        await this.queue.enqueue(
          REWARDS_MINT_QUEUE,
          { rewardId: reward.id },
          { id: jobIdFor(REWARDS_MINT_QUEUE, reward.id) },
        );
      }
      return reward;
    });
  }

  private async paidContributions(modelId: string): Promise<Set<string>> {
    const rows = await this.txHost.tx.query<Array<{ id: string }>>(
      `SELECT DISTINCT jsonb_array_elements_text(x->'contributionIds') AS id
         FROM rewards r CROSS JOIN LATERAL jsonb_array_elements(r.recipients) x
        WHERE r."modelId" = $1 AND r.status IN ('pending', 'submitted', 'confirmed')`,
      [modelId],
    );
    return new Set(rows.map((r) => r.id));
  }
}
