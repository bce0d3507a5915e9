import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContributionsService } from 'src/modules/contributions';
import { DatasetsService } from 'src/modules/datasets';
import { RegistryService } from 'src/modules/registry';
import { TxHost } from 'src/platform/database';
import { DomainError } from 'src/platform/errors';
import { EventsService } from 'src/platform/events';
import {
  buildTrainingJob,
  startTraining,
  TrainingCancelledError,
  TrainingProgress,
  TrainingResult,
  VerificationError,
} from './trainers';
import { loadTrainingData } from './training-data';
import { asOwner, TrainingEvaluations } from './training-evaluations';
import { TrainingMetrics } from './training.metrics';
import { TrainingRunData, TrainingRunEntity } from './training-run.entity';
import './training.events';

/** How often the process running a job reads the run's cancel flag (a cancel may come from any replica). */
export const CANCEL_POLL_MS = 250;
/** Progress is stored at most this often (the SSE stream of every replica reads it). */
export const PROGRESS_STORE_MS = 500;

class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs one training run inside its durable job: reads its rows into shared memory, trains in a worker thread
 * (progress stored throttled, the cancel flag polled), then registers the verified model, marks its contributions
 * included_in_training and queues its evaluation against production, all in one transaction.
 */
@Injectable()
export class TrainingExecutor {
  private readonly logger = new Logger('Training');

  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly datasets: DatasetsService,
    private readonly contributions: ContributionsService,
    private readonly events: EventsService,
    private readonly evaluations: TrainingEvaluations,
    private readonly metrics: TrainingMetrics,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(TrainingRunEntity);
  }

  async execute(runId: string): Promise<void> {
    const run = await this.claim(runId);
    if (!run) return;
    try {
      const loaded = await loadTrainingData(
        {
          modelId: run.modelId,
          dataset: run.data?.dataset ? await this.datasets.get(run.data.dataset.id) : null,
          contributions: run.data?.contributions ?? [],
          features: run.data!.features,
          labelColumn: run.data!.labelColumn,
          classifier: run.family !== 'linear_regression',
        },
        this.datasets,
        this.contributions,
      );
      await this.repo.update({ id: run.id }, { data: loaded.record });
      let job;
      try {
        job = buildTrainingJob(run.family, run.hyperparameters, run.seed, loaded.data);
      } catch (err) {
        throw new RunFailure((err as DomainError).code ?? 'INVALID_TRAINING_DATA', (err as Error).message);
      }
      const result = await this.train(run, job);
      await this.register(run, loaded.record, result);
    } catch (err) {
      await this.fail(run, err);
    }
  }

  /** queued → running with training.started; null when the run is no longer queued (cancelled meanwhile). */
  private async claim(runId: string): Promise<TrainingRunEntity | null> {
    return this.txHost.withTransaction(async () => {
      const claimed = await this.repo
        .createQueryBuilder()
        .update()
        .set({ status: 'running', startedAt: () => 'now()' })
        // A job retried after its process died finds its run still running.
        .where('id = :id AND status IN (:...s) AND NOT "cancelRequested"', { id: runId, s: ['queued', 'running'] })
        .execute();
      if (!claimed.affected) return null;
      const run = (await this.repo.findOneBy({ id: runId }))!;
      await this.events.publish(
        'training.started',
        {
          runId: run.id,
          model: run.modelName,
          family: run.family,
          baseVersion: run.baseVersion,
          contributionIds: run.contributionIds,
          trigger: run.trigger,
        },
        { modelName: run.modelName, owner: run.owner },
      );
      return run;
    });
  }

  private async train(run: TrainingRunEntity, job: ReturnType<typeof buildTrainingJob>): Promise<TrainingResult> {
    let latest: TrainingProgress | null = null;
    let storedAt = 0;
    const store = (p: TrainingProgress) =>
      this.repo.update({ id: run.id, status: 'running' }, { progress: p }).catch(() => undefined);
    const handle = startTraining(job, {
      onProgress: (p) => {
        latest = p;
        if (Date.now() - storedAt < PROGRESS_STORE_MS) return;
        storedAt = Date.now();
        void store(p);
      },
    });
    const poll = setInterval(() => {
      void this.repo
        .findOne({ where: { id: run.id }, select: { id: true, cancelRequested: true } })
        .then((r) => (r?.cancelRequested ? handle.cancel() : undefined))
        .catch(() => undefined);
    }, CANCEL_POLL_MS);
    try {
      return await handle.result;
    } finally {
      clearInterval(poll);
      if (latest) await store(latest);
    }
  }

  private async register(run: TrainingRunEntity, data: TrainingRunData, result: TrainingResult): Promise<void> {
    const dir = join(tmpdir(), 'deltaone-training');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${run.id}-${randomBytes(4).toString('hex')}.onnx`);
    await writeFile(path, result.onnx);
    try {
      const model = await this.registry.getModel(run.modelName);
      const base = await this.registry.featureSchema(run.modelName, { version: run.baseVersion });
      const metrics = { training: result.metrics.training, validation: result.metrics.validation };
      await this.txHost.withTransaction(async () => {
        const version = await this.registry.registerVersionFromFile(
          // The run registers as the model's owner: whoever started it (the owner or an admin) may write the model.
          asOwner(model, run.createdByKeyId),
          run.modelName,
          path,
          {
            description: `Trained by run ${run.id} (${run.family}, seed ${run.seed}) from version ${run.baseVersion}.`,
            metrics: result.metrics.validation,
            ...(data.dataset ? { datasetHash: data.dataset.hash } : {}),
            runId: `training-run:${run.id}`,
            parentVersion: run.baseVersion,
            contributionIds: run.contributionIds,
            tags: ['trained'],
            ...(base.features ? { features: base.features } : {}),
          },
        );
        if (run.contributionIds.length > 0) {
          await this.contributions.markIncludedInTraining(run.contributionIds, {
            modelName: run.modelName,
            version: version.version,
          });
        }
        const evaluationId = await this.evaluations.queueAgainstProduction(model, version.version);
        const done = await this.repo.update(
          { id: run.id, status: 'running' },
          {
            status: 'registered',
            metrics,
            details: {
              iterations: result.iterations,
              converged: result.converged,
              rows: result.rows,
              ...(result.classes ? { classes: result.classes } : {}),
              verification: result.verification,
              durationMs: result.durationMs,
            },
            resultVersion: version.version,
            resultSha256: version.sha256,
            evaluationId,
            finishedAt: new Date(),
          },
        );
        if (!done.affected) throw new TrainingCancelledError('the training run was cancelled');
        await this.events.publish(
          'training.completed',
          {
            runId: run.id,
            model: run.modelName,
            version: version.version,
            sha256: version.sha256,
            metrics,
            evaluationId,
          },
          { modelName: run.modelName, owner: run.owner },
        );
      });
      this.metrics.runs.inc({ status: 'registered' });
    } finally {
      await rm(path, { force: true });
    }
  }

  private async fail(run: TrainingRunEntity, err: unknown): Promise<void> {
    if (err instanceof TrainingCancelledError) {
      await this.repo.update(
        { id: run.id },
        { status: 'cancelled', failureReason: 'cancelled', finishedAt: new Date() },
      );
      this.metrics.runs.inc({ status: 'cancelled' });
      return;
    }
    const code =
      err instanceof RunFailure
        ? err.code
        : err instanceof VerificationError
          ? 'VERIFICATION_FAILED'
          : err instanceof DomainError
            ? err.code
            : 'TRAINING_FAILED';
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(`training run ${run.id} failed: ${code} ${reason}`);
    await this.txHost.withTransaction(async () => {
      await this.repo.update(
        { id: run.id },
        { status: 'failed', failureCode: code.slice(0, 40), failureReason: reason, finishedAt: new Date() },
      );
      await this.events.publish(
        'training.failed',
        { runId: run.id, model: run.modelName, code, reason },
        { modelName: run.modelName, owner: run.owner },
      );
    });
    this.metrics.runs.inc({ status: 'failed' });
  }
}
