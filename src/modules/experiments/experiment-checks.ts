import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RegistryService } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { QueueService } from 'src/platform/queue';
import { ExperimentResults, ExperimentResultsService } from './experiment-results';
import { ExperimentEntity } from './experiment.entity';
import { CheckDecision, ExperimentsService } from './experiments.service';

export const EXPERIMENT_CHECK_QUEUE = 'experiments.check';

/** What one look at one running experiment did. */
export interface CheckOutcome {
  experimentId: string;
  action: 'none' | 'promoted' | 'rolled_back';
  decision: string;
  variants?: string[];
}

/**
 * The scheduled check of running experiments (issue 22 §6): the results the endpoint shows, then the action.
 * A treatment that breaks a guardrail gets weight 0 at once (`experiment.guardrail_breached`); with autoPromote, a
 * promotable winner moves `production` through the registry and completes the experiment. Each look stores the
 * always-valid p-values' running minimum for the next. One job per slot (its id derived from the slot), so however
 * many replicas schedule it, it runs once; each experiment is also checked under its row lock.
 */
@Injectable()
export class ExperimentChecks implements OnApplicationBootstrap {
  private readonly logger = new Logger('ExperimentChecks');

  constructor(
    private readonly txHost: TxHost,
    private readonly config: AppConfig,
    private readonly queue: QueueService,
    private readonly results: ExperimentResultsService,
    private readonly experiments: ExperimentsService,
    private readonly registry: RegistryService,
    private readonly events: EventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.JOBS_ENABLED) return;
    await this.scheduleNext();
  }

  /** Enqueues the next slot's check; every replica asks, the slot's job id makes it one job. */
  async scheduleNext(now = Date.now()): Promise<void> {
    const every = this.config.EXPERIMENT_CHECK_SECONDS * 1000;
    const slot = Math.floor(now / every) * every + every;
    const key = new Date(slot).toISOString();
    await this.queue.enqueue(EXPERIMENT_CHECK_QUEUE, { slot: key }, { key, startAfter: new Date(slot) });
  }

  /** The scheduled job: chain the next check first (a failing check never ends the chain), then check. */
  async runScheduled(): Promise<void> {
    await this.scheduleNext();
    await this.checkAll();
  }

  /** Checks every running experiment; one that fails is logged and does not stop the others. */
  async checkAll(): Promise<CheckOutcome[]> {
    const running = await this.txHost.tx.getRepository(ExperimentEntity).find({ where: { status: 'running' } });
    const outcomes: CheckOutcome[] = [];
    for (const e of running) {
      try {
        outcomes.push(await this.check(e.id));
      } catch (err) {
        this.logger.warn(`experiment ${e.id}: ${(err as Error).message}`);
      }
    }
    return outcomes;
  }

  /** One look at one experiment, under its row lock: a second look at the same time waits, then sees the result. */
  async check(id: string): Promise<CheckOutcome> {
    const outcome = await this.txHost.withTransaction(async (): Promise<CheckOutcome> => {
      const e = await this.txHost.tx
        .getRepository(ExperimentEntity)
        .createQueryBuilder('e')
        .setLock('pessimistic_write')
        .where('e.id = :id AND e.status = :running', { id, running: 'running' })
        .getOne();
      if (!e) return { experimentId: id, action: 'none', decision: 'not_running' };
      const r = await this.results.results(e);
      const looked = { ...e, alwaysValidPValues: runningPValues(e, r) };
      await this.txHost.tx
        .getRepository(ExperimentEntity)
        .update({ id }, { alwaysValidPValues: looked.alwaysValidPValues });
      const breached = breachedTreatments(looked, r);
      if (breached.length > 0) return this.rollBack(looked, r, breached);
      const a = r.analysis;
      if (e.autoPromote && a.promotable && a.winner) return this.promote(looked, r, a.winner);
      // An experiment starts at 'continue': a look that says so changes nothing worth a record.
      if (a.decision !== (e.lastDecision ?? 'continue')) await this.experiments.recordLook(looked, lookDecision(r));
      return { experimentId: id, action: 'none', decision: a.decision };
    });
    if (outcome.action !== 'none') await this.experiments.refreshRouting();
    return outcome;
  }

  private async rollBack(
    e: ExperimentEntity,
    r: ExperimentResults,
    breached: Array<{ name: string; version: number; guardrails: BreachedGuardrail[] }>,
  ): Promise<CheckOutcome> {
    const reason = breached.flatMap((b) => b.guardrails.map((g) => `${b.name}: ${g.metric} ${g.reason}`)).join('; ');
    const names = breached.map((b) => b.name);
    await this.experiments.retire(e, names, decisionOf(r, 'guardrail_breached', reason));
    for (const b of breached) {
      for (const g of b.guardrails) {
        await this.events.publish(
          'experiment.guardrail_breached',
          {
            experiment: { id: e.id, name: e.name },
            model: { id: e.modelId, name: e.modelName },
            variant: { name: b.name, version: b.version },
            guardrail: { metric: g.metric, max: g.max, observed: g.observed },
            reason: g.reason,
            weight: 0,
          },
          { modelName: e.modelName, owner: e.owner },
        );
      }
    }
    return { experimentId: e.id, action: 'rolled_back', decision: r.analysis.decision, variants: names };
  }

  private async promote(e: ExperimentEntity, r: ExperimentResults, winner: string): Promise<CheckOutcome> {
    const variant = e.variants.find((v) => v.name === winner);
    if (!variant) throw new Error(`winner ${winner} is not a variant of ${e.id}`);
    const reasons = r.analysis.variants.find((v) => v.name === winner)?.reasons ?? [];
    const reason = reasons.map((x) => `${x.code}: ${x.message}`).join('; ') || 'significantly_better';
    // The registry's promote, as the promote route does it: production moves, `model.promoted` and its audit record.
    await this.registry.promote(asModelOwner(e), e.modelName, variant.version);
    await this.experiments.completeWithWinner(
      e,
      { variant: winner, version: variant.version },
      decisionOf(r, 'winner', reason),
    );
    return { experimentId: e.id, action: 'promoted', decision: 'winner', variants: [winner] };
  }
}

interface BreachedGuardrail {
  metric: string;
  max: number;
  observed: number | null;
  reason: string;
}

/** Treatments still receiving traffic whose guardrails are breached (the control is never set to 0). */
function breachedTreatments(
  e: ExperimentEntity,
  r: ExperimentResults,
): Array<{ name: string; version: number; guardrails: BreachedGuardrail[] }> {
  return e.variants.slice(1).flatMap((v) => {
    const result = r.analysis.variants.find((x) => x.name === v.name);
    const guardrails = (result?.guardrails ?? []).filter((g) => g.breached);
    return v.weight > 0 && guardrails.length > 0 ? [{ name: v.name, version: v.version, guardrails }] : [];
  });
}

/** The running minimum per treatment, as the statistics returned it (it already folds in the stored one). */
function runningPValues(e: ExperimentEntity, r: ExperimentResults): Record<string, number> {
  const out: Record<string, number> = { ...(e.alwaysValidPValues ?? {}) };
  for (const v of r.analysis.variants) if (v.alwaysValidPValue !== null) out[v.name] = v.alwaysValidPValue;
  return out;
}

/** A look that changes nothing: its decision, its reasons, the figures. */
function lookDecision(r: ExperimentResults): CheckDecision {
  const a = r.analysis;
  const reason = a.reasons.map((x) => `${x.variant ? `${x.variant} ` : ''}${x.code}: ${x.message}`).join('; ');
  return decisionOf(r, a.decision, reason || a.decision);
}

/** The figures behind a decision, for the audit record. */
function decisionOf(r: ExperimentResults, decision: string, reason: string): CheckDecision {
  const a = r.analysis;
  return {
    decision,
    reason,
    figures: {
      overall: a.decision,
      winner: a.winner,
      promotable: a.promotable,
      sampleRatioPValue: a.sampleRatio.pValue,
      variants: r.counts.map((c) => {
        const v = a.variants.find((x) => x.name === c.name);
        return {
          name: c.name,
          version: c.version,
          weight: c.weight,
          units: c.units,
          outcomes: c.outcomes,
          errors: c.errors,
          predictions: c.predictions,
          latencyP95Ms: c.latencyMs.p95,
          mean: v?.summary.mean ?? null,
          alwaysValidPValue: v?.alwaysValidPValue ?? null,
          guardrails: (v?.guardrails ?? []).map((g) => ({ metric: g.metric, max: g.max, observed: g.observed })),
        };
      }),
    },
  };
}

/** The server acting for the experiment's owner (the experiment and its model belong to them). */
function asModelOwner(e: ExperimentEntity): Principal {
  return { keyId: 'experiment-check', owner: e.owner, scopes: ['models:read', 'models:write'], isAdmin: false };
}
