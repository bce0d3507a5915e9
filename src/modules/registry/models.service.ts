import { Injectable } from '@nestjs/common';
import { Brackets, In, QueryFailedError } from 'typeorm';
import { AuditService, changesOf } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { ModelAliasEntity } from './model-alias.entity';
import { assertVisible, lockForWrite } from './model-access';
import { ModelEntity } from './model.entity';
import { RegisteredModel, toRegisteredModel } from './registered-model';
import { RegistryError } from './registry.errors';
import {
  BenchmarkMetric,
  defaultDirection,
  LabelKind,
  MetricDirection,
  ModelVisibility,
  PRODUCTION,
} from './registry.rules';

export interface NewModel {
  name: string;
  description?: string;
  tokenId: string;
  benchmarkMetric: BenchmarkMetric;
  metricDirection?: MetricDirection;
  benchmarkValue?: number;
  labelColumn?: string;
  labelKind?: LabelKind;
  tags?: string[];
  visibility?: ModelVisibility;
}

export interface ModelChanges {
  description?: string;
  benchmarkValue?: number;
  labelColumn?: string;
  labelKind?: LabelKind;
  tags?: string[];
  visibility?: ModelVisibility;
}

export interface ModelFilter extends PageQueryDto {
  tokenId?: string;
  tag?: string;
  q?: string;
  owner?: string;
  status?: 'active' | 'archived' | 'all';
}

export interface ModelWithAliases {
  model: ModelEntity;
  aliases: Array<{ alias: string; version: number }>;
}

/** The model's public description, as carried by events. */
export const modelEventData = (m: ModelEntity): RegisteredModel => toRegisteredModel(m);

/** The model fields an audit record shows (all of them public metadata). */
const AUDITED_FIELDS = [
  'name',
  'tokenId',
  'description',
  'benchmarkMetric',
  'metricDirection',
  'benchmarkValue',
  'labelColumn',
  'labelKind',
  'tags',
  'visibility',
] as const;

const modelTarget = (m: ModelEntity) => ({ type: 'model', id: m.name, owner: m.owner });

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class ModelsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly events: EventsService,
    private readonly audit: AuditService,
  ) {}

  async create(principal: Principal, input: NewModel): Promise<ModelWithAliases> {
    // The unique indexes decide races; this check gives the common case its answer without a failed insert.
    const clash = await this.txHost.tx.getRepository(ModelEntity).findOne({
      where: [{ name: input.name }, { tokenId: input.tokenId.toUpperCase() }],
      select: { name: true, tokenId: true },
    });
    if (clash?.name === input.name) {
      throw RegistryError.field('MODEL_NAME_TAKEN', 'name', `A model named ${input.name} already exists.`);
    }
    if (clash) {
      throw RegistryError.field(
        'TOKEN_ID_TAKEN',
        'tokenId',
        `Token id ${input.tokenId.toUpperCase()} already belongs to another model.`,
      );
    }
    try {
      const model = await this.txHost.withTransaction(async () => {
        const manager = this.txHost.tx;
        const repo = manager.getRepository(ModelEntity);
        const saved = await repo.save(
          repo.create({
            name: input.name,
            description: input.description ?? '',
            tokenId: input.tokenId.toUpperCase(),
            benchmarkMetric: input.benchmarkMetric,
            metricDirection: input.metricDirection ?? defaultDirection(input.benchmarkMetric),
            benchmarkValue: input.benchmarkValue ?? null,
            labelColumn: input.labelColumn ?? null,
            labelKind: input.labelKind ?? null,
            tags: [...new Set(input.tags ?? [])],
            visibility: input.visibility ?? 'public',
            owner: principal.owner,
          }),
        );
        await this.events.publish('model.registered', modelEventData(saved), {
          modelName: saved.name,
          owner: saved.owner,
        });
        await this.audit.record({
          action: 'model.create',
          target: modelTarget(saved),
          changes: changesOf(null, saved, AUDITED_FIELDS),
        });
        return saved;
      });
      return { model, aliases: [] };
    } catch (err) {
      const constraint = (err as QueryFailedError & { driverError?: { constraint?: string } }).driverError?.constraint;
      if (err instanceof QueryFailedError && constraint === 'uq_models_name') {
        throw RegistryError.field('MODEL_NAME_TAKEN', 'name', `A model named ${input.name} already exists.`);
      }
      if (err instanceof QueryFailedError && constraint === 'uq_models_token_id') {
        throw RegistryError.field(
          'TOKEN_ID_TAKEN',
          'tokenId',
          `Token id ${input.tokenId.toUpperCase()} already belongs to another model.`,
        );
      }
      throw err;
    }
  }

  async list(principal: Principal, filter: ModelFilter): Promise<Page<ModelWithAliases>> {
    const qb = this.txHost.tx.getRepository(ModelEntity).createQueryBuilder('m');
    if (!principal.isAdmin) {
      qb.andWhere(
        new Brackets((w) => w.where("m.visibility = 'public'").orWhere('m.owner = :me', { me: principal.owner })),
      );
    }
    const status = filter.status ?? 'active';
    if (status !== 'all') qb.andWhere('m.status = :status', { status });
    if (filter.tokenId) qb.andWhere('m.tokenId = :tokenId', { tokenId: filter.tokenId.toUpperCase() });
    if (filter.tag) qb.andWhere(':tag = ANY(m.tags)', { tag: filter.tag });
    if (filter.owner) qb.andWhere('m.owner = :owner', { owner: filter.owner });
    if (filter.q) {
      const like = `%${escapeLike(filter.q)}%`;
      qb.andWhere(new Brackets((w) => w.where('m.name ILIKE :like', { like }).orWhere('m.description ILIKE :like')));
    }
    const page = await paginate(qb, 'm', filter);
    return { items: await this.withAliases(page.items), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, name: string): Promise<ModelWithAliases> {
    const model = assertVisible(await this.txHost.tx.getRepository(ModelEntity).findOneBy({ name }), name, principal);
    return (await this.withAliases([model]))[0];
  }

  async update(principal: Principal, name: string, changes: ModelChanges): Promise<ModelWithAliases> {
    const model = await this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const m = await lockForWrite(manager, name, principal);
      const patch: Partial<ModelEntity> = {};
      if (changes.description !== undefined) patch.description = changes.description;
      if (changes.benchmarkValue !== undefined) patch.benchmarkValue = changes.benchmarkValue;
      if (changes.labelColumn !== undefined) patch.labelColumn = changes.labelColumn;
      if (changes.labelKind !== undefined) patch.labelKind = changes.labelKind;
      if (changes.tags !== undefined) patch.tags = [...new Set(changes.tags)];
      if (changes.visibility !== undefined) patch.visibility = changes.visibility;
      if (Object.keys(patch).length === 0) return m;
      await manager.update(ModelEntity, { id: m.id }, patch);
      const updated = await manager.findOneByOrFail(ModelEntity, { id: m.id });
      await this.events.publish(
        'model.updated',
        { model: modelEventData(updated), changed: Object.keys(patch) },
        { modelName: updated.name, owner: updated.owner },
      );
      await this.audit.record({
        action: 'model.update',
        target: modelTarget(updated),
        changes: changesOf(m, updated, AUDITED_FIELDS),
      });
      return updated;
    });
    return (await this.withAliases([model]))[0];
  }

  /** Archives the model. Refused while `production` is set, unless an admin forces it. */
  async archive(principal: Principal, name: string, force: boolean): Promise<void> {
    await this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const m = await lockForWrite(manager, name, principal, { allowArchived: true });
      if (m.status === 'archived') return;
      if (force && !principal.isAdmin) {
        throw new RegistryError('FORCE_REQUIRES_ADMIN', 'Only an admin may archive a model that is in production.');
      }
      const production = await manager.findOneBy(ModelAliasEntity, { modelId: m.id, alias: PRODUCTION });
      if (production && !force) {
        throw new RegistryError(
          'MODEL_IN_PRODUCTION',
          `Model ${name} has a production alias (version ${production.version}); delete the alias first, or an admin may force the archive.`,
        );
      }
      await manager.update(ModelEntity, { id: m.id }, { status: 'archived', archivedAt: new Date() });
      await this.events.publish(
        'model.archived',
        { model: { ...modelEventData(m), status: 'archived' }, forced: Boolean(production && force) },
        { modelName: m.name, owner: m.owner },
      );
      await this.audit.record({
        action: 'model.archive',
        target: modelTarget(m),
        changes: {
          status: { from: m.status, to: 'archived' },
          ...(production && force ? { production: { from: production.version, to: 'kept (forced)' } } : {}),
        },
      });
    });
  }

  async withAliases(models: ModelEntity[]): Promise<ModelWithAliases[]> {
    if (models.length === 0) return [];
    const rows = await this.txHost.tx
      .getRepository(ModelAliasEntity)
      .find({ where: { modelId: In(models.map((m) => m.id)) }, order: { alias: 'ASC' } });
    return models.map((model) => ({
      model,
      aliases: rows.filter((r) => r.modelId === model.id).map((r) => ({ alias: r.alias, version: r.version })),
    }));
  }
}
