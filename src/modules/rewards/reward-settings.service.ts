import { Injectable } from '@nestjs/common';
import { assertWritable, RegistryService } from 'src/modules/registry';
import { AuditService, changesOf } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { formatTokens, parseTokens, RewardPolicy } from './reward-math';
import { RewardSettingsEntity } from './reward-settings.entity';
import { RewardsError } from './rewards.errors';

/** A model's reward settings as the API shows them: decimal token amounts (strings, exact). */
export interface RewardSettings {
  modelName: string;
  tokensPerDeltaOne: string;
  maxReward: string;
  budget: string;
  paused: boolean;
  /** Awarded so far (pending, submitted and confirmed rewards) and what is left of the budget. */
  awarded: string;
  remaining: string;
}

export type RewardSettingsPatch = Partial<
  Pick<RewardSettings, 'tokensPerDeltaOne' | 'maxReward' | 'budget' | 'paused'>
>;

// Hokusai's launch economics (tokens per 1 pp, cap per DeltaOne, mint budget per model).
export const DEFAULT_SETTINGS = { tokensPerDeltaOne: '250000', maxReward: '2500000', budget: '1500000' } as const;

const AMOUNTS = ['tokensPerDeltaOne', 'maxReward', 'budget'] as const;

/** The reward policy of each model, set by its owner or an admin; defaults until set. */
@Injectable()
export class RewardSettingsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly audit: AuditService,
  ) {}

  async get(principal: Principal, name: string): Promise<RewardSettings> {
    const model = await this.registry.getModel(name, principal);
    return this.view(model.name, await this.policy(model.id));
  }

  async update(principal: Principal, name: string, patch: RewardSettingsPatch): Promise<RewardSettings> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    const parsed: Partial<Record<(typeof AMOUNTS)[number], bigint>> = {};
    for (const field of AMOUNTS) {
      const text = patch[field];
      if (text === undefined) continue;
      const units = parseTokens(text);
      if (units === undefined) {
        throw RewardsError.field(
          'INVALID_REWARD_SETTINGS',
          field,
          `${field} must be a decimal token amount with at most 18 decimals, like "2.5" (got ${JSON.stringify(text)}).`,
        );
      }
      parsed[field] = units;
    }
    return this.txHost.withTransaction(async () => {
      const current = await this.policy(model.id, true);
      const next = {
        tokensPerDeltaOne: parsed.tokensPerDeltaOne ?? current.tokensPerDeltaOne,
        maxReward: parsed.maxReward ?? current.maxReward,
        budget: parsed.budget ?? current.budget,
        paused: patch.paused ?? current.paused,
      };
      const repo = this.txHost.tx.getRepository(RewardSettingsEntity);
      await repo.save(
        repo.create({
          modelId: model.id,
          tokensPerDeltaOne: String(next.tokensPerDeltaOne),
          maxReward: String(next.maxReward),
          budget: String(next.budget),
          paused: next.paused,
          updatedBy: principal.owner,
        }),
      );
      const before = this.view(model.name, current);
      const after = this.view(model.name, { ...current, ...next });
      await this.audit.record({
        action: 'reward_settings.update',
        target: { type: 'reward_settings', id: model.name, owner: model.owner },
        changes: changesOf(before, after, ['tokensPerDeltaOne', 'maxReward', 'budget', 'paused']),
      });
      return after;
    });
  }

  /**
   * The model's policy with what is left of its budget, read in the caller's transaction; `lock` holds the
   * model's reward lock until it ends, so two awards never both spend the same remainder.
   */
  async policy(modelId: string, lock = false): Promise<RewardPolicy & { budget: bigint; awarded: bigint }> {
    const tx = this.txHost.tx;
    if (lock) await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rewards:${modelId}`]);
    const s = await tx.getRepository(RewardSettingsEntity).findOneBy({ modelId });
    const [{ awarded }] = await tx.query<Array<{ awarded: string }>>(
      `SELECT COALESCE(sum(total), 0)::text AS awarded FROM rewards
        WHERE "modelId" = $1 AND status IN ('pending', 'submitted', 'confirmed')`,
      [modelId],
    );
    const budget = s ? BigInt(s.budget) : parseTokens(DEFAULT_SETTINGS.budget)!;
    const spent = BigInt(awarded);
    return {
      tokensPerDeltaOne: s ? BigInt(s.tokensPerDeltaOne) : parseTokens(DEFAULT_SETTINGS.tokensPerDeltaOne)!,
      maxReward: s ? BigInt(s.maxReward) : parseTokens(DEFAULT_SETTINGS.maxReward)!,
      budget,
      paused: s?.paused ?? false,
      awarded: spent,
      remainingBudget: budget > spent ? budget - spent : 0n,
    };
  }

  private view(modelName: string, p: RewardPolicy & { budget: bigint; awarded: bigint }): RewardSettings {
    const remaining = p.budget > p.awarded ? p.budget - p.awarded : 0n;
    return {
      modelName,
      tokensPerDeltaOne: formatTokens(p.tokensPerDeltaOne),
      maxReward: formatTokens(p.maxReward),
      budget: formatTokens(p.budget),
      paused: p.paused,
      awarded: formatTokens(p.awarded),
      remaining: formatTokens(remaining),
    };
  }
}
