import { Injectable } from '@nestjs/common';
import { ContributionsService } from 'src/modules/contributions';
import { DatasetsService } from 'src/modules/datasets';
import { assertWritable, RegisteredModel, RegistryService } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { QueueService } from 'src/platform/queue';
import { In } from 'typeorm';
import { MAX_CLASSES } from './trainers/hyperparameters';
import { resolveHyperparameters, TrainerFamily } from './trainers';
import { TrainingError } from './training.errors';
import { TrainingMetrics } from './training.metrics';
import { TrainingRunEntity, TrainingRunStatus } from './training-run.entity';

export const TRAINING_RUN_QUEUE = 'training.run';

export interface StartTraining {
  baseVersion?: number;
  family?: string;
  contributionIds?: string[];
  hyperparameters?: Record<string, unknown>;
  seed?: number;
}

const REGRESSION_METRICS = new Set(['rmse', 'mae']);

/** Training runs: checks a request completely before a run exists, then queues it as a durable job. */
@Injectable()
export class TrainingRunsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly datasets: DatasetsService,
    private readonly contributions: ContributionsService,
    private readonly queue: QueueService,
    private readonly metrics: TrainingMetrics,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(TrainingRunEntity);
  }

  /**
   * Validates everything a run needs (family, hyperparameters, seed, features, label, contributions, rows,
   * classes), then inserts the run and its job in one transaction. TRAINING_RUN_ACTIVE when the model already has
   * a queued or running run (the partial unique index decides, across replicas).
   */
  async start(principal: Principal, name: string, input: StartTraining, trigger = 'api'): Promise<TrainingRunEntity> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    const base = await this.registry.featureSchema(name, {
      ...(input.baseVersion !== undefined ? { version: input.baseVersion } : {}),
      principal,
    });
    const features = base.features ?? [];
    if (features.length === 0) {
      throw TrainingError.field(
        'NO_FEATURE_SCHEMA',
        input.baseVersion !== undefined ? 'baseVersion' : 'production',
        `Version ${base.version} of ${name} declares no features; training needs the feature schema of its base version.`,
      );
    }
    const nonNumeric = features.find((f) => f.type === 'string');
    if (nonNumeric) {
      throw TrainingError.field(
        'INVALID_TRAINING_DATA',
        'features',
        `Feature ${nonNumeric.name} is a string; the trainers take numeric features only.`,
      );
    }
    if (!model.labelColumn) {
      throw TrainingError.field('NO_LABEL_COLUMN', 'labelColumn', `Model ${name} has no labelColumn to train on.`);
    }
    const parentRun = await this.repo.findOneBy({ modelId: model.id, resultVersion: base.version });
    const family = input.family ?? parentRun?.family ?? defaultFamily(model);
    const resolved = resolveHyperparameters(
      family,
      input.hyperparameters ?? (input.family === undefined ? parentRun?.hyperparameters : undefined),
      input.seed ?? 0,
    );
    const dataset = await this.datasets.latestOfKind(model.id, 'training');
    const credited = await this.contributions.creditedContributions(model.id, {
      contributionIds: input.contributionIds,
    });
    const unusable = (input.contributionIds ?? []).filter((id) => !credited.some((c) => c.id === id));
    if (unusable.length > 0) {
      throw TrainingError.field(
        'CONTRIBUTION_NOT_USABLE',
        'contributionIds',
        `Not accepted contributions of ${name} not yet used for training: ${unusable.join(', ')}.`,
      );
    }
    const used = credited.filter((c) => c.creditedRows > 0);
    const rows = (dataset?.rowCount ?? 0) + used.reduce((n, c) => n + c.creditedRows, 0);
    if (rows < 2) {
      throw TrainingError.field(
        'NO_TRAINING_ROWS',
        'rows',
        `Model ${name} has ${rows} training rows (a training dataset and accepted contributions); at least 2 are needed.`,
      );
    }
    if (resolved.family !== 'linear_regression') await this.assertClasses(model, dataset?.id, used, name);

    if (await this.repo.existsBy({ modelId: model.id, status: In(['queued', 'running']) })) throw active(name);
    try {
      return await this.txHost.withTransaction(async () => {
        const run = await this.repo.save(
          this.repo.create({
            modelId: model.id,
            modelName: model.name,
            owner: principal.owner,
            createdByKeyId: principal.keyId,
            trigger,
            status: 'queued',
            family: resolved.family,
            hyperparameters: resolved.hyperparameters as unknown as Record<string, number>,
            seed: resolved.seed,
            baseVersion: base.version,
            contributionIds: used.map((c) => c.id),
            data: {
              dataset: dataset ? { id: dataset.id, hash: dataset.hash, rows: dataset.rowCount } : null,
              contributions: used,
              rows: 0,
              dropped: [],
              features: features.map((f) => f.name),
              labelColumn: model.labelColumn!,
            },
          }),
        );
        await this.queue.enqueue(TRAINING_RUN_QUEUE, { runId: run.id }, { key: run.id });
        return run;
      });
    } catch (err) {
      if ((err as { code?: string; driverError?: { code?: string } }).driverError?.code === '23505') {
        throw active(name);
      }
      throw err;
    }
  }

  private async assertClasses(
    model: RegisteredModel,
    datasetId: string | undefined,
    contributions: { id: string }[],
    name: string,
  ): Promise<void> {
    const column = model.labelColumn!;
    const values = new Set<string>();
    if (datasetId)
      for (const v of await this.datasets.distinctValues(datasetId, column, MAX_CLASSES + 1))
        values.add(JSON.stringify(v));
    const ids = contributions.map((c) => c.id);
    for (const v of await this.contributions.distinctValues(ids, column, MAX_CLASSES + 1))
      values.add(JSON.stringify(v));
    values.delete('null');
    if (values.size < 2) {
      throw TrainingError.field(
        'SINGLE_CLASS_LABEL',
        'labelColumn',
        `The label column ${column} of ${name}'s training rows has ${values.size} class; a classifier needs at least two.`,
      );
    }
  }

  /** The run, when the caller may see its model. */
  async get(principal: Principal, id: string): Promise<TrainingRunEntity> {
    const run = await this.repo.findOneBy({ id });
    if (!run) throw notFound(id);
    await this.registry.getModel(run.modelName, principal).catch(() => {
      throw notFound(id);
    });
    return run;
  }

  async list(principal: Principal, name: string, query: PageQueryDto): Promise<Page<TrainingRunEntity>> {
    const model = await this.registry.getModel(name, principal);
    return paginate(this.repo.createQueryBuilder('r').where('r.modelId = :id', { id: model.id }), 'r', query);
  }

  /**
   * A queued run is cancelled at once; a running one is flagged, and the process running it (any replica) sees
   * the flag within its poll interval (250 ms) and stops the worker thread. TRAINING_RUN_FINISHED when it ended.
   */
  async cancel(principal: Principal, id: string): Promise<TrainingRunEntity> {
    const run = await this.get(principal, id);
    assertWritable(await this.registry.getModel(run.modelName, principal), principal);
    const queued = await this.repo
      .createQueryBuilder()
      .update()
      .set({ status: 'cancelled', cancelRequested: true, finishedAt: () => 'now()', failureReason: 'cancelled' })
      .where('id = :id AND status = :s', { id, s: 'queued' })
      .execute();
    if (queued.affected) {
      this.metrics.runs.inc({ status: 'cancelled' });
      return this.get(principal, id);
    }
    const running = await this.repo.update({ id, status: 'running' }, { cancelRequested: true });
    if (!running.affected) {
      throw new TrainingError('TRAINING_RUN_FINISHED', `Training run ${id} already ended (${run.status}).`);
    }
    return this.get(principal, id);
  }

  /** Status only (the SSE stream polls it). */
  async snapshot(id: string): Promise<TrainingRunEntity | null> {
    return this.repo.findOneBy({ id });
  }
}

export function defaultFamily(model: RegisteredModel): TrainerFamily {
  return REGRESSION_METRICS.has(model.benchmarkMetric) || model.labelKind === 'numeric'
    ? 'linear_regression'
    : 'logistic_regression';
}

function active(name: string): TrainingError {
  return new TrainingError('TRAINING_RUN_ACTIVE', `Model ${name} already has a queued or running training run.`);
}

function notFound(id: string): TrainingError {
  return new TrainingError('TRAINING_RUN_NOT_FOUND', `No training run ${id}.`);
}

export type { TrainingRunStatus };
