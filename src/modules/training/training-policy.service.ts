import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ContributionsService } from 'src/modules/contributions';
import { assertWritable, RegistryService } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { DomainError } from 'src/platform/errors';
import { QueueService } from 'src/platform/queue';
import { asOwner, TrainingEvaluations } from './training-evaluations';
import { TrainingPolicyEntity } from './training-policy.entity';
import { TrainingRunEntity } from './training-run.entity';
import { TrainingRunsService } from './training-runs.service';

export const TRAINING_POLICY_QUEUE = 'training.policy-check';
/** Policies are checked once a minute, by one replica (one job per minute slot, its id derived from the slot). */
export const POLICY_CHECK_MS = 60_000;

export interface TrainingPolicy {
  modelName: string;
  enabled: boolean;
  minNewRows: number;
  minIntervalMinutes: number;
  onlyWhenMetricBelow: number | null;
  lastTriggeredAt: Date | null;
}

const DEFAULT_POLICY = { enabled: false, minNewRows: 1000, minIntervalMinutes: 60, onlyWhenMetricBelow: null };

/** Per-model retraining policies and the scheduled check that starts runs from them. */
@Injectable()
export class TrainingPolicyService implements OnApplicationBootstrap {
  private readonly logger = new Logger('TrainingPolicy');

  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly contributions: ContributionsService,
    private readonly runs: TrainingRunsService,
    private readonly evaluations: TrainingEvaluations,
    private readonly queue: QueueService,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(TrainingPolicyEntity);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduleNext();
  }

  /** Enqueues the next minute's check; every replica asks, the slot's job id makes it one job. */
  async scheduleNext(now = Date.now()): Promise<void> {
    const slot = Math.floor(now / POLICY_CHECK_MS) * POLICY_CHECK_MS + POLICY_CHECK_MS;
    const key = new Date(slot).toISOString();
    await this.queue.enqueue(TRAINING_POLICY_QUEUE, { slot: key }, { key, startAfter: new Date(slot) });
  }

  async get(principal: Principal, name: string): Promise<TrainingPolicy> {
    const model = await this.registry.getModel(name, principal);
    const p = await this.repo.findOneBy({ modelId: model.id });
    return p ? toPolicy(p) : { modelName: model.name, ...DEFAULT_POLICY, lastTriggeredAt: null };
  }

  async put(
    principal: Principal,
    name: string,
    input: Omit<TrainingPolicy, 'modelName' | 'lastTriggeredAt' | 'onlyWhenMetricBelow'> & {
      onlyWhenMetricBelow?: number | null;
    },
  ): Promise<TrainingPolicy> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    const existing = await this.repo.findOneBy({ modelId: model.id });
    await this.repo.save({
      modelId: model.id,
      modelName: model.name,
      enabled: input.enabled,
      minNewRows: input.minNewRows,
      minIntervalMinutes: input.minIntervalMinutes,
      onlyWhenMetricBelow: input.onlyWhenMetricBelow ?? null,
      lastTriggeredAt: existing?.lastTriggeredAt ?? null,
    });
    return this.get(principal, name);
  }

  /** The scheduled job: chain the next check first (a failing check never ends the chain), then check. */
  async runScheduled(): Promise<void> {
    await this.scheduleNext();
    await this.checkPolicies();
  }

  /**
   * Starts a run for each enabled policy whose interval has passed, when its model has at least `minNewRows`
   * credited rows not yet trained on, or production's measured metric (its latest evaluation on the benchmark) is
   * below `onlyWhenMetricBelow`. Returns the runs started. A model with an active run is skipped (the unique index
   * would refuse a second one anyway).
   */
  async checkPolicies(now = new Date()): Promise<TrainingRunEntity[]> {
    const started: TrainingRunEntity[] = [];
    for (const p of await this.repo.findBy({ enabled: true })) {
      if (p.lastTriggeredAt && p.lastTriggeredAt.getTime() + p.minIntervalMinutes * 60_000 > now.getTime()) continue;
      try {
        const model = await this.registry.getModel(p.modelName);
        const fresh = await this.contributions.creditedContributions(model.id);
        const newRows = fresh.reduce((n, c) => n + c.creditedRows, 0);
        const metric = p.onlyWhenMetricBelow === null ? null : await this.evaluations.productionMetric(model);
        const degraded = metric !== null && p.onlyWhenMetricBelow !== null && metric < p.onlyWhenMetricBelow;
        if (newRows < p.minNewRows && !degraded) continue;
        started.push(await this.runs.start(asOwner(model, 'training-policy'), model.name, {}, 'policy'));
        await this.repo.update({ modelId: p.modelId }, { lastTriggeredAt: now });
      } catch (err) {
        const code = err instanceof DomainError ? err.code : '';
        if (code !== 'TRAINING_RUN_ACTIVE') this.logger.warn(`policy of ${p.modelName}: ${(err as Error).message}`);
      }
    }
    return started;
  }
}

function toPolicy(p: TrainingPolicyEntity): TrainingPolicy {
  return {
    modelName: p.modelName,
    enabled: p.enabled,
    minNewRows: p.minNewRows,
    minIntervalMinutes: p.minIntervalMinutes,
    onlyWhenMetricBelow: p.onlyWhenMetricBelow,
    lastTriggeredAt: p.lastTriggeredAt,
  };
}
