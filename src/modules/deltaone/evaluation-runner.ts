import { Injectable, Logger } from '@nestjs/common';
import { DatasetsService } from 'src/modules/datasets';
import { InferenceService } from 'src/modules/inference';
import { RegisteredModel, RegistryService } from 'src/modules/registry';
import { TxHost } from 'src/platform/database';
import { DomainError } from 'src/platform/errors';
import { EventsService } from 'src/platform/events';
import { jobIdFor, QueueService } from 'src/platform/queue';
import { AcceptedDeltaOne, REWARDS_AWARD_QUEUE } from './deltaone.contract';
import { DeltaOneError } from './deltaone.errors';
import { DeltaOneMetrics } from './deltaone.metrics';
import { deltaBps } from './domain/bps';
import { decide, Decision } from './domain/decision';
import { computeMetric, EvaluationMetric, MetricResult, MetricUnavailableError } from './domain/metrics';
import { Outcomes } from './domain/outcomes';
import { compareVersions, EvaluationStatistics } from './domain/statistics';
import { EvaluationEntity, StoredStatistics } from './evaluation.entity';
import { packOutcomes } from './outcome-collector';
import { matrixScorers, scoreBenchmark } from './benchmark-scoring';
import { BenchmarkMatrixCache } from './benchmark-matrix-cache';

/** The candidate's model record and how many benchmark rows its lineage holds. */
interface Lineage {
  model: RegisteredModel;
  leakedRows: number;
}

interface Scored {
  outcomes: [Outcomes, Outcomes];
  baseline: MetricResult;
  candidate: MetricResult;
  statistics: EvaluationStatistics;
}

/**
 * Runs one evaluation: both versions over every benchmark row (through inference's worker pool), the metric from
 * the per-row outcomes, the paired test, and the decision, all stored with the events (and, when accepted, the
 * rewards job) in one transaction. Running it again after it completed does nothing.
 */
@Injectable()
export class EvaluationRunner {
  private readonly logger = new Logger('DeltaOne');

  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly datasets: DatasetsService,
    private readonly inference: InferenceService,
    private readonly events: EventsService,
    private readonly queue: QueueService,
    private readonly metrics: DeltaOneMetrics,
    private readonly matrices: BenchmarkMatrixCache,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(EvaluationEntity);
  }

  async run(evaluationId: string): Promise<void> {
    const e = await this.repo.findOneBy({ id: evaluationId });
    if (!e || e.status === 'completed' || e.status === 'failed') return;
    const running = this.repo.update(e.id, { status: 'running', startedAt: new Date() });
    // What the decision needs besides the scores reads rows no evaluation changes (the candidate's lineage, the
    // benchmark's hashes): it is read while the versions run, off the path from the first row to the decision.
    const lineage = this.lineage(e);
    const scoring = this.score(e);
    for (const p of [lineage, scoring]) p.catch(() => undefined);
    await running;
    let scored: Scored;
    try {
      scored = await scoring;
    } catch (err) {
      // A benchmark the versions cannot score fails for good; anything else is retried by the queue.
      if (!(err instanceof DomainError) && !(err instanceof MetricUnavailableError)) throw err;
      await this.fail(e, err.message);
      return;
    }
    await this.decideAndStore(e, scored, await lineage);
  }

  private async lineage(e: EvaluationEntity): Promise<Lineage> {
    const candidate = await this.registry.resolve(e.modelName, { version: e.candidateVersion });
    return { model: candidate.model, leakedRows: await this.leakedRows(e.benchmarkId, e.modelId, candidate) };
  }

  private async score(e: EvaluationEntity): Promise<Scored> {
    const versions: [number, number] = [e.baselineVersion, e.candidateVersion];
    // The engines are looked up with the model and the benchmark, not after them.
    const scorers = matrixScorers(this.inference, { modelName: e.modelName, versions });
    scorers.catch(() => undefined);
    const [model, benchmark] = await Promise.all([
      this.registry.getModel(e.modelName),
      this.datasets.get(e.benchmarkId),
    ]);
    const job = {
      modelName: e.modelName,
      benchmarkId: e.benchmarkId,
      labelColumn: benchmark.labelColumn,
      versions,
      kind: model.labelKind === 'numeric' ? ('numeric' as const) : ('classes' as const),
    };
    const collector = await scoreBenchmark(this.datasets, this.inference, job, 'any', {
      cache: this.matrices,
      scorers,
    });
    if (collector.rows === 0) throw new DeltaOneError('UNSCORABLE', 'The benchmark has no rows.');
    const outcomes = collector.outcomes();
    const metric = e.metric as EvaluationMetric;
    const baseline = computeMetric(metric, outcomes[0]);
    const candidate = computeMetric(metric, outcomes[1]);
    const statistics = compareVersions(metric, outcomes[0], outcomes[1], baseline, candidate, e.settings.alpha);
    return { outcomes, baseline, candidate, statistics };
  }

  private async decideAndStore(e: EvaluationEntity, s: Scored, { model, leakedRows }: Lineage): Promise<void> {
    const reason = await this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      // One decision at a time per model and benchmark, so two evaluations cannot both pass the cooldown.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`deltaone:${e.modelId}:${e.benchmarkId}`]);
      const [{ last }]: { last: Date | null }[] = await manager.query(
        `SELECT max("decidedAt") AS last FROM evaluations
          WHERE "modelId" = $1 AND "benchmarkId" = $2 AND "reason" = 'ACCEPTED' AND id <> $3`,
        [e.modelId, e.benchmarkId, e.id],
      );
      const n = s.outcomes[0].labels.length;
      const delta = deltaBps(s.baseline.bps, s.candidate.bps, e.direction);
      const now = new Date();
      const decision: Decision = decide({
        n,
        lastAcceptedAt: last ? new Date(last) : null,
        now,
        leakedRows,
        deltaBps: delta,
        pValue: s.statistics.paired.pValue,
        settings: e.settings,
      });
      const statistics = {
        ...s.statistics,
        baseline: { value: s.baseline.value, ratio: s.baseline.ratio },
        candidate: { value: s.candidate.value, ratio: s.candidate.ratio },
        thresholdBps: e.settings.thresholdBps,
        ...(decision.cooldownUntil ? { cooldownUntil: decision.cooldownUntil.toISOString() } : {}),
      } as unknown as StoredStatistics;
      // The outcomes first, so that decidedAt - startedAt covers the whole job but the events and the commit.
      const base = packOutcomes(s.outcomes[0]);
      await manager.query(
        `INSERT INTO evaluation_outcomes ("evaluationId", kind, rows, labels, baseline, candidate)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ("evaluationId") DO UPDATE SET kind = excluded.kind, rows = excluded.rows,
           labels = excluded.labels, baseline = excluded.baseline, candidate = excluded.candidate`,
        [e.id, s.outcomes[0].kind, n, base.labels, base.version, packOutcomes(s.outcomes[1]).version],
      );
      const decidedAt = new Date();
      await manager.getRepository(EvaluationEntity).update(e.id, {
        status: 'completed',
        n,
        baselineBps: s.baseline.bps,
        candidateBps: s.candidate.bps,
        deltaBps: delta,
        leakedRows,
        statistics,
        accepted: decision.accepted,
        reason: decision.reason,
        decidedAt,
      });
      await this.events.publish(
        'evaluation.completed',
        {
          evaluationId: e.id,
          model: e.modelName,
          benchmarkId: e.benchmarkId,
          baselineVersion: e.baselineVersion,
          candidateVersion: e.candidateVersion,
          status: 'completed',
          metric: e.metric,
          baselineBps: s.baseline.bps,
          candidateBps: s.candidate.bps,
          deltaBps: delta,
          n,
          reason: decision.reason,
          error: null,
        },
        { modelName: e.modelName, owner: model.owner },
      );
      const decided = {
        evaluationId: e.id,
        model: e.modelName,
        tokenId: model.tokenId,
        metric: e.metric,
        benchmarkHash: e.benchmarkHash,
        baselineVersion: e.baselineVersion,
        candidateVersion: e.candidateVersion,
        baselineBps: s.baseline.bps,
        candidateBps: s.candidate.bps,
        deltaBps: delta,
        n,
        pValue: s.statistics.paired.pValue,
        decidedAt: decidedAt.toISOString(),
      };
      const publishAs = { modelName: e.modelName, owner: model.owner };
      if (decision.reason !== 'ACCEPTED') {
        await this.events.publish('deltaone.rejected', { ...decided, reason: decision.reason }, publishAs);
        return decision.reason;
      }
      await this.events.publish('deltaone.achieved', decided, publishAs);
      const award: AcceptedDeltaOne = {
        evaluationId: e.id,
        modelId: e.modelId,
        modelName: e.modelName,
        tokenId: model.tokenId,
        metric: e.metric,
        direction: e.direction,
        benchmark: { datasetId: e.benchmarkId, hash: e.benchmarkHash },
        baseline: {
          versionId: e.baselineVersionId,
          version: e.baselineVersion,
          sha256: e.baselineSha256,
          metricBps: s.baseline.bps,
        },
        candidate: {
          versionId: e.candidateVersionId,
          version: e.candidateVersion,
          sha256: e.candidateSha256,
          metricBps: s.candidate.bps,
        },
        deltaBps: delta,
        n,
        statistics,
        decidedAt: decidedAt.toISOString(),
      };
      await this.queue.enqueue(REWARDS_AWARD_QUEUE, award, { id: jobIdFor(REWARDS_AWARD_QUEUE, e.id) });
      return decision.reason;
    });
    this.metrics.decisions.inc({ reason });
    this.logger.log({ message: 'evaluation decided', evaluationId: e.id, model: e.modelName });
  }

  /**
   * Benchmark rows in the candidate's lineage: rows of the contributions it was trained on, and rows of the
   * model's datasets whose hash is its declared training-data hash (a training set, or the benchmark itself). A
   * version trained here by a run that excluded this benchmark (dropped every row whose hash is in it) was trained
   * on none of its rows, whatever its lineage's contributions hold.
   */
  private async leakedRows(
    benchmarkId: string,
    modelId: string,
    {
      contributionIds,
      datasetHash,
      runId,
    }: { contributionIds: string[]; datasetHash: string | null; runId: string | null },
  ): Promise<number> {
    // A version with no lineage (uploaded without a training-data hash or contributions) has no rows to leak.
    if (contributionIds.length === 0 && datasetHash === null) return 0;
    const run = /^training-run:([0-9a-f-]{36})$/.exec(runId ?? '')?.[1];
    if (run) {
      const excluded: unknown[] = await this.txHost.tx.query(
        `SELECT 1 FROM training_runs WHERE id = $1 AND data->'excludedBenchmark'->>'id' = $2`,
        [run, benchmarkId],
      );
      if (excluded.length > 0) return 0;
    }
    const [{ n }]: { n: number }[] = await this.txHost.tx.query(
      `SELECT count(DISTINCT b.hash)::int AS n FROM dataset_rows b
        WHERE b."datasetId" = $1 AND (
          EXISTS (SELECT 1 FROM contribution_rows c
                   WHERE c."rowHash" = b.hash AND c."modelId" = $2 AND c."contributionId"::text = ANY($3::text[]))
          OR EXISTS (SELECT 1 FROM dataset_rows t JOIN datasets d ON d.id = t."datasetId"
                      WHERE t.hash = b.hash AND d."modelId" = $2 AND d.hash = $4))`,
      [benchmarkId, modelId, contributionIds, datasetHash],
    );
    return n;
  }

  private async fail(e: EvaluationEntity, error: string): Promise<void> {
    await this.txHost.withTransaction(async () => {
      await this.repo.update(e.id, { status: 'failed', error });
      await this.events.publish(
        'evaluation.completed',
        {
          evaluationId: e.id,
          model: e.modelName,
          benchmarkId: e.benchmarkId,
          baselineVersion: e.baselineVersion,
          candidateVersion: e.candidateVersion,
          status: 'failed',
          metric: e.metric,
          baselineBps: null,
          candidateBps: null,
          deltaBps: null,
          n: null,
          reason: null,
          error,
        },
        { modelName: e.modelName },
      );
    });
  }
}
