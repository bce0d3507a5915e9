import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { ModelAliasHistoryEntity } from './model-alias-history.entity';
import { ModelAliasEntity } from './model-alias.entity';
import { assertVisible, lockForWrite } from './model-access';
import { ModelVersionEntity } from './model-version.entity';
import { ModelEntity } from './model.entity';
import { RegistryError } from './registry.errors';
import { AliasAction, PRODUCTION, rollbackTarget } from './registry.rules';

export interface AliasMove {
  model: ModelEntity;
  alias: ModelAliasEntity;
  previousVersion: number | null;
}

@Injectable()
export class AliasesService {
  constructor(
    private readonly txHost: TxHost,
    private readonly events: EventsService,
    private readonly audit: AuditService,
  ) {}

  /** Creates or moves an alias (MLflow upsert). Moving `production` this way is a promotion. */
  set(principal: Principal, name: string, alias: string, version: number): Promise<AliasMove> {
    return this.move(principal, name, alias, version, alias === PRODUCTION ? 'promote' : 'set');
  }

  promote(principal: Principal, name: string, version: number): Promise<AliasMove> {
    return this.move(principal, name, PRODUCTION, version, 'promote');
  }

  private move(
    principal: Principal,
    name: string,
    alias: string,
    version: number,
    action: AliasAction,
  ): Promise<AliasMove> {
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const model = await lockForWrite(manager, name, principal);
      const exists = await manager.existsBy(ModelVersionEntity, { modelId: model.id, version });
      if (!exists) throw new RegistryError('VERSION_NOT_FOUND', `Model ${name} has no version ${version}.`);
      const current = await manager.findOneBy(ModelAliasEntity, { modelId: model.id, alias });
      if (current?.version === version) return { model, alias: current, previousVersion: current.version };
      const saved = await this.write(manager, principal, model, alias, current?.version ?? null, version, action);
      return { model, alias: saved, previousVersion: current?.version ?? null };
    });
  }

  /** Points `production` back at the version that held it before the current one. */
  rollback(principal: Principal, name: string): Promise<AliasMove> {
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const model = await lockForWrite(manager, name, principal);
      const current = await manager.findOneBy(ModelAliasEntity, { modelId: model.id, alias: PRODUCTION });
      const target = current ? rollbackTarget(await this.productionHistory(manager, model.id)) : null;
      if (!current || target === null) {
        throw new RegistryError(
          'NO_ROLLBACK_TARGET',
          `Model ${name} has no earlier production version to roll back to.`,
        );
      }
      const saved = await this.write(manager, principal, model, PRODUCTION, current.version, target, 'rollback');
      return { model, alias: saved, previousVersion: current.version };
    });
  }

  private async write(
    manager: EntityManager,
    principal: Principal,
    model: ModelEntity,
    alias: string,
    from: number | null,
    to: number,
    action: AliasAction,
  ): Promise<ModelAliasEntity> {
    await manager.upsert(
      ModelAliasEntity,
      { modelId: model.id, alias, version: to, updatedBy: principal.owner, updatedAt: new Date() },
      ['modelId', 'alias'],
    );
    await this.record(manager, principal, model, alias, action, from, to);
    const type =
      action === 'rollback' ? 'model.rolled_back' : action === 'promote' ? 'model.promoted' : 'model.alias.updated';
    await this.events.publish(
      type,
      { model: { id: model.id, name: model.name, tokenId: model.tokenId }, alias, version: to, previousVersion: from },
      { modelName: model.name, owner: model.owner },
    );
    await this.audit.record({
      action: action === 'rollback' ? 'model.rollback' : action === 'promote' ? 'model.promote' : 'model.alias.set',
      target: { type: 'model', id: model.name, owner: model.owner },
      changes: { [alias]: { from, to } },
    });
    return manager.findOneByOrFail(ModelAliasEntity, { modelId: model.id, alias });
  }

  async delete(principal: Principal, name: string, alias: string): Promise<void> {
    await this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const model = await lockForWrite(manager, name, principal);
      const current = await manager.findOneBy(ModelAliasEntity, { modelId: model.id, alias });
      if (!current) throw new RegistryError('ALIAS_NOT_FOUND', `Model ${name} has no alias ${alias}.`);
      await manager.delete(ModelAliasEntity, { modelId: model.id, alias });
      await this.record(manager, principal, model, alias, 'delete', current.version, null);
      await this.events.publish(
        'model.alias.deleted',
        { model: { id: model.id, name: model.name, tokenId: model.tokenId }, alias, previousVersion: current.version },
        { modelName: model.name, owner: model.owner },
      );
      await this.audit.record({
        action: 'model.alias.delete',
        target: { type: 'model', id: model.name, owner: model.owner },
        changes: { [alias]: { from: current.version, to: null } },
      });
    });
  }

  private async record(
    manager: EntityManager,
    principal: Principal,
    model: ModelEntity,
    alias: string,
    action: AliasAction,
    fromVersion: number | null,
    toVersion: number | null,
  ): Promise<void> {
    await manager.insert(ModelAliasHistoryEntity, {
      modelId: model.id,
      alias,
      action,
      fromVersion,
      toVersion,
      actor: principal.owner,
      actorKeyId: principal.keyId,
    });
  }

  private productionHistory(manager: EntityManager, modelId: string): Promise<ModelAliasHistoryEntity[]> {
    return manager
      .getRepository(ModelAliasHistoryEntity)
      .createQueryBuilder('h')
      .where('h.modelId = :modelId AND h.alias = :alias', { modelId, alias: PRODUCTION })
      .orderBy('h.id', 'ASC')
      .getMany();
  }

  /** The version that held `production` before the current one (what a rollback would restore), if any. */
  async previousProduction(modelId: string): Promise<number | null> {
    const current = await this.txHost.tx.getRepository(ModelAliasEntity).findOneBy({ modelId, alias: PRODUCTION });
    if (!current) return null;
    return rollbackTarget(await this.productionHistory(this.txHost.tx, modelId));
  }

  async get(
    principal: Principal,
    name: string,
    alias: string,
  ): Promise<{ model: ModelEntity; alias: ModelAliasEntity }> {
    const model = await this.visibleModel(principal, name);
    const row = await this.txHost.tx.getRepository(ModelAliasEntity).findOneBy({ modelId: model.id, alias });
    if (!row) throw new RegistryError('ALIAS_NOT_FOUND', `Model ${name} has no alias ${alias}.`);
    return { model, alias: row };
  }

  async list(principal: Principal, name: string): Promise<{ model: ModelEntity; aliases: ModelAliasEntity[] }> {
    const model = await this.visibleModel(principal, name);
    const aliases = await this.txHost.tx
      .getRepository(ModelAliasEntity)
      .find({ where: { modelId: model.id }, order: { alias: 'ASC' } });
    return { model, aliases };
  }

  async history(
    principal: Principal,
    name: string,
    query: PageQueryDto & { alias?: string },
  ): Promise<Page<ModelAliasHistoryEntity>> {
    const model = await this.visibleModel(principal, name);
    const qb = this.txHost.tx
      .getRepository(ModelAliasHistoryEntity)
      .createQueryBuilder('h')
      .where('h.modelId = :id', { id: model.id });
    if (query.alias) qb.andWhere('h.alias = :alias', { alias: query.alias });
    return paginate(qb, 'h', query);
  }

  private async visibleModel(principal: Principal, name: string): Promise<ModelEntity> {
    return assertVisible(await this.txHost.tx.getRepository(ModelEntity).findOneBy({ name }), name, principal);
  }
}
