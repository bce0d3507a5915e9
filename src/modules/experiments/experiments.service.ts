import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { assertWritable, RegistryError, RegistryService } from 'src/modules/registry';
import { AuditService, changesOf } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { Page, paginate } from 'src/platform/http';
import { initialLayout, relayout } from './assignment';
import { ExperimentResults, ExperimentResultsService } from './experiment-results';
import { ExperimentEntity } from './experiment.entity';
import { CreateExperimentDto, ExperimentListQueryDto, UpdateWeightsDto } from './experiments.dto';
import { ExperimentsError } from './experiments.errors';
import { ExperimentAction, nextStatus, Variant } from './experiments.rules';
import { RunningExperiments } from './running-experiments';

const AUDITED = ['status', 'variants', 'layout'] as const;

/** Experiments' lifecycle: create (draft), start, pause, resume, stop, reweight. Owner-scoped like models. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly events: EventsService,
    private readonly audit: AuditService,
    private readonly running: RunningExperiments,
    private readonly resultsOf: ExperimentResultsService,
  ) {}

  async results(principal: Principal, id: string): Promise<ExperimentResults> {
    return this.resultsOf.results(await this.get(principal, id));
  }

  async create(principal: Principal, dto: CreateExperimentDto): Promise<ExperimentEntity> {
    checkVariantNames(dto);
    const model = await this.registry.getModel(dto.model, principal);
    assertWritable(model, principal);
    const variants = await this.resolveVariants(dto.model, dto.variants);
    if (dto.shadow) await this.versionOf(dto.model, { version: dto.shadow.version }, 'shadow.version');
    return this.txHost.withTransaction(async () => {
      const repo = this.txHost.tx.getRepository(ExperimentEntity);
      const saved = await repo.save(
        repo.create({
          name: dto.name,
          modelId: model.id,
          modelName: model.name,
          owner: model.owner,
          status: 'draft',
          variants,
          layout: initialLayout(variants.map((v) => v.weight)),
          shadow: dto.shadow ? { version: dto.shadow.version, percent: dto.shadow.percent } : null,
          unitHeader: (dto.unitHeader ?? 'X-User-Id').toLowerCase(),
          primaryMetric: { ...dto.primaryMetric },
          minimumDetectableEffect: dto.minimumDetectableEffect,
          guardrails: (dto.guardrails ?? []).map((g) => ({ metric: g.metric, max: g.max })),
          minSamplesPerVariant: dto.minSamplesPerVariant,
          alpha: dto.alpha ?? 0.05,
          autoPromote: dto.autoPromote ?? false,
          createdBy: principal.owner,
          startedAt: null,
          endedAt: null,
        }),
      );
      await this.audit.record({
        action: 'experiment.create',
        target: { type: 'experiment', id: saved.id, owner: saved.owner },
        changes: changesOf(null, saved, ['name', 'modelName', 'status', 'variants']),
      });
      return saved;
    });
  }

  async get(principal: Principal, id: string): Promise<ExperimentEntity> {
    return visible(await this.txHost.tx.getRepository(ExperimentEntity).findOneBy({ id }), id, principal);
  }

  list(principal: Principal, query: ExperimentListQueryDto): Promise<Page<ExperimentEntity>> {
    const qb = this.txHost.tx.getRepository(ExperimentEntity).createQueryBuilder('e');
    if (!principal.isAdmin) qb.andWhere('e.owner = :owner', { owner: principal.owner });
    if (query.status) qb.andWhere('e.status = :status', { status: query.status });
    if (query.model) qb.andWhere('e.modelName = :model', { model: query.model });
    return paginate(qb, 'e', query);
  }

  async transition(principal: Principal, id: string, action: ExperimentAction): Promise<ExperimentEntity> {
    const changed = await this.txHost.withTransaction(async () => {
      const before = await this.lock(principal, id);
      const status = nextStatus(before.status, action);
      if (!status) {
        throw new ExperimentsError(
          'EXPERIMENT_STATE_CONFLICT',
          `Experiment ${id} is ${before.status}; it cannot ${action}.`,
        );
      }
      const after: ExperimentEntity = { ...before, status };
      if (action === 'start') {
        // Aliases are read once more now: the experiment then serves these versions until it ends.
        after.variants = await this.resolveVariants(before.modelName, before.variants);
        after.startedAt = new Date();
      }
      if (status === 'completed' || status === 'cancelled') after.endedAt = new Date();
      if (status === 'running') await this.assertNoOtherRunning(after);
      await this.saveRunning(after);
      await this.publishState(after, action);
      await this.audit.record({
        action: `experiment.${action}`,
        target: { type: 'experiment', id, owner: before.owner },
        changes: changesOf(before, after, AUDITED),
      });
      return after;
    });
    await this.running.refresh();
    return changed;
  }

  async reweight(principal: Principal, id: string, dto: UpdateWeightsDto): Promise<ExperimentEntity> {
    const changed = await this.txHost.withTransaction(async () => {
      const before = await this.lock(principal, id);
      if (before.status === 'completed' || before.status === 'cancelled') {
        throw new ExperimentsError('EXPERIMENT_STATE_CONFLICT', `Experiment ${id} is ${before.status}.`);
      }
      const weights = new Map<string, number>();
      dto.variants.forEach((w, i) => {
        if (!before.variants.some((v) => v.name === w.name)) {
          throw ExperimentsError.field(`variants[${i}].name`, `Experiment ${id} has no variant ${w.name}.`);
        }
        weights.set(w.name, w.weight);
      });
      const variants = before.variants.map((v) => ({ ...v, weight: weights.get(v.name) ?? v.weight }));
      if (!variants.some((v) => v.weight > 0)) throw ExperimentsError.field('variants', 'Some weight must be > 0.');
      const after: ExperimentEntity = {
        ...before,
        variants,
        layout: relayout(
          before.layout,
          variants.map((v) => v.weight),
        ),
      };
      await this.txHost.tx.getRepository(ExperimentEntity).save(after);
      await this.audit.record({
        action: 'experiment.reweight',
        target: { type: 'experiment', id, owner: before.owner },
        changes: changesOf(before, after, ['variants']),
      });
      return after;
    });
    await this.running.refresh();
    return changed;
  }

  private async lock(principal: Principal, id: string): Promise<ExperimentEntity> {
    const found = await this.txHost.tx
      .getRepository(ExperimentEntity)
      .createQueryBuilder('e')
      .setLock('pessimistic_write')
      .where('e.id = :id', { id })
      .getOne();
    return visible(found, id, principal);
  }

  private async assertNoOtherRunning(e: ExperimentEntity): Promise<void> {
    const other = await this.txHost.tx
      .getRepository(ExperimentEntity)
      .createQueryBuilder('e')
      .where('e.modelId = :modelId AND e.status = :running AND e.id <> :id', {
        modelId: e.modelId,
        running: 'running',
        id: e.id,
      })
      .getOne();
    if (other) throw alreadyRunning(e.modelName, other.id);
  }

  /** The partial unique index is the guarantee across replicas; the check before it gives the better message. */
  private async saveRunning(e: ExperimentEntity): Promise<void> {
    try {
      await this.txHost.tx.getRepository(ExperimentEntity).save(e);
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') {
        throw alreadyRunning(e.modelName, null);
      }
      throw err;
    }
  }

  private async publishState(e: ExperimentEntity, action: ExperimentAction): Promise<void> {
    const type = action === 'start' ? 'experiment.started' : e.status === 'completed' ? 'experiment.completed' : null;
    if (!type) return;
    await this.events.publish(
      type,
      {
        experiment: { id: e.id, name: e.name },
        model: { id: e.modelId, name: e.modelName },
        status: e.status,
        variants: e.variants,
      },
      { modelName: e.modelName, owner: e.owner },
    );
  }

  private async resolveVariants(
    model: string,
    given: Array<{ name: string; version?: number | null; alias?: string | null; weight: number }>,
  ): Promise<Variant[]> {
    const out: Variant[] = [];
    for (const [i, v] of given.entries()) {
      const alias = v.alias ?? undefined;
      const pinned = v.version ?? undefined;
      if ((pinned === undefined) === (alias === undefined)) {
        throw ExperimentsError.field(`variants[${i}]`, 'Give a variant either version or alias.');
      }
      const ref = alias !== undefined ? { alias } : { version: pinned };
      const version = await this.versionOf(model, ref, `variants[${i}].${alias !== undefined ? 'alias' : 'version'}`);
      out.push({ name: v.name, version, alias: v.alias ?? null, weight: v.weight });
    }
    return out;
  }

  private async versionOf(model: string, ref: { version?: number; alias?: string }, field: string): Promise<number> {
    try {
      return (await this.registry.featureSchema(model, ref)).version;
    } catch (err) {
      if (err instanceof RegistryError && (err.code === 'VERSION_NOT_FOUND' || err.code === 'ALIAS_NOT_FOUND')) {
        throw ExperimentsError.field(field, err.detail);
      }
      throw err;
    }
  }
}

function checkVariantNames(dto: CreateExperimentDto): void {
  const seen = new Set<string>();
  dto.variants.forEach((v, i) => {
    if (seen.has(v.name)) throw ExperimentsError.field(`variants[${i}].name`, `Variant name ${v.name} is repeated.`);
    seen.add(v.name);
  });
  if (!dto.variants.some((v) => v.weight > 0)) {
    throw ExperimentsError.field('variants', 'At least one variant needs a weight above 0.');
  }
}

/** Another owner's experiment is not found (as a private model is), unless the caller is an admin. */
function visible(e: ExperimentEntity | null, id: string, principal: Principal): ExperimentEntity {
  if (!e || (!principal.isAdmin && e.owner !== principal.owner)) {
    throw new ExperimentsError('EXPERIMENT_NOT_FOUND', `No experiment ${id}.`);
  }
  return e;
}

function alreadyRunning(model: string, other: string | null): ExperimentsError {
  return new ExperimentsError(
    'EXPERIMENT_ALREADY_RUNNING',
    `Model ${model} already has a running experiment${other ? ` (${other})` : ''}; stop or pause it first.`,
  );
}
