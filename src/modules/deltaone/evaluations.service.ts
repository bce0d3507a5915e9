import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatasetsService } from 'src/modules/datasets';
import { assertWritable, ModelVersionEntity, PRODUCTION, RegistryService } from 'src/modules/registry';
import { AuditService } from 'src/platform/audit';
import { hasScopes, Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { jobIdFor, QueueService } from 'src/platform/queue';
import { DeltaOneSettingsService } from './deltaone-settings.service';
import { DeltaOneError } from './deltaone.errors';
import { EVALUATION_QUEUE } from './deltaone.types';
import { EvaluationEntity } from './evaluation.entity';

export interface StartEvaluation {
  candidateVersion: number;
  baselineVersion?: number;
  benchmarkId?: string;
}

export interface EvaluationView {
  evaluation: EvaluationEntity;
  /** The versions' declared metrics (from their registration), shown apart from the computed ones. */
  declared: { baseline: Record<string, number>; candidate: Record<string, number> };
}

/** Asks for evaluations (a durable job each) and reads them back. */
@Injectable()
export class EvaluationsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly datasets: DatasetsService,
    private readonly settings: DeltaOneSettingsService,
    private readonly queue: QueueService,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(EvaluationEntity);
  }

  async start(principal: Principal, name: string, input: StartEvaluation): Promise<EvaluationEntity> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    if (!model.labelKind) {
      throw new DeltaOneError('NO_LABEL_KIND', `Model ${name} has no labelKind (classes or numeric) to evaluate with.`);
    }
    const candidate = await this.registry.resolve(name, { version: input.candidateVersion });
    const baseline = await this.registry
      .resolve(name, input.baselineVersion === undefined ? { alias: PRODUCTION } : { version: input.baselineVersion })
      .catch((err: unknown) => {
        if (input.baselineVersion !== undefined) throw err;
        throw new DeltaOneError('NO_BASELINE', `Model ${name} has no production version to compare against.`);
      });
    if (baseline.version === candidate.version) {
      throw new DeltaOneError('SAME_VERSION', `The candidate and the baseline are both version ${candidate.version}.`);
    }
    const benchmark = input.benchmarkId
      ? await this.datasets.get(input.benchmarkId)
      : await this.datasets.activeBenchmark(model.id);
    if (!benchmark) throw new DeltaOneError('NO_BENCHMARK', `Model ${name} has no active benchmark.`);
    if (benchmark.modelId !== model.id || benchmark.kind !== 'benchmark') {
      throw new DeltaOneError('BENCHMARK_OF_ANOTHER_MODEL', `Dataset ${benchmark.id} is not a benchmark of ${name}.`);
    }
    const versions = this.txHost.tx.getRepository(ModelVersionEntity);
    const ids = await versions.find({
      where: [
        { modelId: model.id, version: baseline.version },
        { modelId: model.id, version: candidate.version },
      ],
      select: { id: true, version: true },
    });
    const idOf = (v: number) => ids.find((x) => x.version === v)!.id;
    const id = randomUUID();
    const jobId = jobIdFor(EVALUATION_QUEUE, id);
    return this.txHost.withTransaction(async () => {
      const e = this.repo.create({
        id,
        modelId: model.id,
        modelName: model.name,
        benchmarkId: benchmark.id,
        benchmarkHash: benchmark.hash,
        baselineVersionId: idOf(baseline.version),
        baselineVersion: baseline.version,
        baselineSha256: baseline.sha256,
        candidateVersionId: idOf(candidate.version),
        candidateVersion: candidate.version,
        candidateSha256: candidate.sha256,
        metric: model.benchmarkMetric,
        direction: model.metricDirection === 'lower_is_better' ? 'lower' : 'higher',
        status: 'queued',
        settings: await this.settings.valuesFor(model.id),
        requestedBy: principal.owner,
        jobId,
      });
      await this.repo.insert(e);
      await this.queue.enqueue(EVALUATION_QUEUE, { evaluationId: id }, { id: jobId });
      await this.audit.record({
        action: 'evaluation.create',
        target: { type: 'evaluation', id, owner: model.owner },
        changes: {
          model: { from: null, to: model.name },
          candidateVersion: { from: null, to: candidate.version },
          baselineVersion: { from: null, to: baseline.version },
          benchmarkId: { from: null, to: benchmark.id },
        },
      });
      return (await this.repo.findOneBy({ id }))!;
    });
  }

  async get(principal: Principal, id: string): Promise<EvaluationView> {
    assertCanRead(principal);
    const e = await this.repo.findOneBy({ id });
    if (!e) throw notFound(id);
    try {
      await this.registry.getModel(e.modelName, principal);
    } catch {
      throw notFound(id);
    }
    const versions = await this.txHost.tx.getRepository(ModelVersionEntity).find({
      where: [{ id: e.baselineVersionId }, { id: e.candidateVersionId }],
      select: { id: true, metrics: true },
    });
    const metricsOf = (vid: string) => versions.find((v) => v.id === vid)?.metrics ?? {};
    return {
      evaluation: e,
      declared: { baseline: metricsOf(e.baselineVersionId), candidate: metricsOf(e.candidateVersionId) },
    };
  }

  /**
   * The metric `version` measured on the benchmark by the model's newest completed evaluation that ran it (as
   * baseline or candidate), in basis points, or null when none did (the training policy's degradation trigger).
   */
  async measuredMetricBps(modelId: string, version: number): Promise<number | null> {
    const found: { bps: number | null }[] = await this.txHost.tx.query(
      `SELECT CASE WHEN "baselineVersion" = $2 THEN "baselineBps" ELSE "candidateBps" END AS bps
         FROM evaluations
        WHERE "modelId" = $1 AND ("baselineVersion" = $2 OR "candidateVersion" = $2)
          AND "baselineBps" IS NOT NULL AND "candidateBps" IS NOT NULL
        ORDER BY "createdAt" DESC LIMIT 1`,
      [modelId, version],
    );
    return found[0]?.bps ?? null;
  }

  /** The model's decided evaluations, newest first. */
  async decisions(principal: Principal, name: string, query: PageQueryDto): Promise<Page<EvaluationEntity>> {
    assertCanRead(principal);
    const model = await this.registry.getModel(name, principal);
    const qb = this.repo
      .createQueryBuilder('e')
      .where('e.modelId = :modelId', { modelId: model.id })
      .andWhere('e.reason IS NOT NULL');
    return paginate(qb, 'e', query);
  }
}

const notFound = (id: string) => new DeltaOneError('EVALUATION_NOT_FOUND', `No evaluation ${id}.`);

/** Evaluations are read with the model read scope or `rewards:read`. */
function assertCanRead(principal: Principal): void {
  if (hasScopes(principal, ['models:read']) || hasScopes(principal, ['rewards:read'])) return;
  throw new DeltaOneError('INSUFFICIENT_SCOPE', 'This route needs the scope models:read or rewards:read.', {
    requiredScopes: ['models:read', 'rewards:read'],
  });
}
