import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService, changesOf } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { Propagation, TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { createValidationPipe, Page, PageQueryDto, paginate, RequestValidationError } from 'src/platform/http';
import { ARTIFACT_STORAGE, ArtifactStorage, artifactKey } from './artifact-storage';
import { StagedArtifact } from './artifact-upload';
import { ModelAliasEntity } from './model-alias.entity';
import { assertActive, assertVisible, assertWritable, lockForWrite } from './model-access';
import { ModelVersionEntity } from './model-version.entity';
import { ModelEntity } from './model.entity';
import { OnnxInspector } from './onnx-inspector';
import { onnxOperators } from './onnx-operators';
import { RegistryError } from './registry.errors';
import { benchmarkDelta, featureMismatch, FeatureSpec } from './registry.rules';
import { VersionMetadataDto } from './versions.dto';

export interface VersionWithAliases {
  model: ModelEntity;
  version: ModelVersionEntity;
  aliases: string[];
}

export interface LineageEntry {
  version: number;
  parentVersion: number | null;
  metrics: Record<string, number>;
  benchmarkValue: number | null;
  delta: number | null;
  deltaBps: number | null;
  datasetHash: string | null;
  contributionIds: string[];
  createdAt: Date;
}

const validator = createValidationPipe();

const versionTarget = (model: ModelEntity, version: number) => ({
  type: 'model_version',
  id: `${model.name}/${version}`,
  owner: model.owner,
});

/** Parses and validates the `metadata` part; field names in errors are prefixed with `metadata.`. */
export async function parseMetadata(raw: unknown): Promise<VersionMetadataDto> {
  let value: unknown = raw ?? {};
  if (typeof raw === 'string') {
    try {
      value = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw RegistryError.field('INVALID_METADATA', 'metadata', 'The `metadata` part is not valid JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw RegistryError.field('INVALID_METADATA', 'metadata', 'The `metadata` part must be a JSON object.');
  }
  let dto: VersionMetadataDto;
  try {
    dto = (await validator.transform(value, { type: 'body', metatype: VersionMetadataDto })) as VersionMetadataDto;
  } catch (err) {
    if (err instanceof RequestValidationError) {
      throw new RequestValidationError((err.extra.errors ?? []).map((e) => ({ ...e, field: `metadata.${e.field}` })));
    }
    throw err;
  }
  const badMetric = Object.entries(dto.metrics ?? {}).find(
    ([k, v]) => typeof v !== 'number' || !Number.isFinite(v) || k.length === 0 || k.length > 100,
  );
  if (badMetric) {
    throw RegistryError.field(
      'INVALID_METADATA',
      `metadata.metrics.${badMetric[0]}`,
      'Every metric must be a finite number under a name of 1-100 characters.',
    );
  }
  const names = (dto.features ?? []).map((f) => f.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    throw RegistryError.field('INVALID_METADATA', 'metadata.features', `Feature ${dup} is listed twice.`);
  }
  return dto;
}

@Injectable()
export class VersionsService {
  private readonly logger = new Logger('Registry');

  constructor(
    private readonly txHost: TxHost,
    private readonly events: EventsService,
    private readonly inspector: OnnxInspector,
    @Inject(ARTIFACT_STORAGE) private readonly storage: ArtifactStorage,
    private readonly audit: AuditService,
  ) {}

  /** Checks, before an upload is read, that the caller may add versions to the model. */
  async assertCanUpload(principal: Principal, name: string): Promise<void> {
    const model = assertVisible(await this.txHost.tx.getRepository(ModelEntity).findOneBy({ name }), name, principal);
    assertWritable(model, principal);
    assertActive(model);
  }

  /**
   * Registers a staged artifact as the model's next version. The artifact is opened with onnxruntime first;
   * then, in one transaction, it is stored (content-addressed), the version number is taken from the locked
   * model row, the row is inserted and `model.version.created` is written. If anything fails, the artifact is
   * removed again unless another version uses the same bytes. The staged file belongs to the caller.
   */
  async create(
    principal: Principal,
    name: string,
    staged: StagedArtifact,
    rawMetadata: unknown,
  ): Promise<VersionWithAliases> {
    const metadata = await parseMetadata(rawMetadata);
    const model = assertVisible(await this.txHost.tx.getRepository(ModelEntity).findOneBy({ name }), name, principal);
    assertWritable(model, principal);
    assertActive(model);
    if (metadata.parentVersion !== undefined) {
      const parent = await this.txHost.tx
        .getRepository(ModelVersionEntity)
        .existsBy({ modelId: model.id, version: metadata.parentVersion });
      if (!parent) {
        throw RegistryError.field(
          'PARENT_VERSION_NOT_FOUND',
          'metadata.parentVersion',
          `Model ${name} has no version ${metadata.parentVersion}.`,
        );
      }
    }

    const inspected = await this.inspector.inspect(staged.path);
    if (!inspected.ok) {
      throw new RegistryError(
        'INVALID_ONNX_MODEL',
        `The file is not an ONNX model onnxruntime can load: ${inspected.reason}`,
      );
    }
    // onnxruntime loaded it; a file this reader cannot walk just has no operator list (inference then never
    // runs it on the main thread).
    const operators = await onnxOperators(staged.path).catch(() => undefined);
    const features: FeatureSpec[] | null = metadata.features?.map((f) => ({ name: f.name, type: f.type })) ?? null;
    const mismatch = featureMismatch(inspected.signature, features);
    if (mismatch) throw RegistryError.field('FEATURES_MISMATCH', 'metadata.features', mismatch);
    if (features && model.labelColumn && features.some((f) => f.name === model.labelColumn)) {
      throw RegistryError.field(
        'FEATURES_MISMATCH',
        'metadata.features',
        `The label column ${model.labelColumn} cannot also be a feature.`,
      );
    }

    const key = artifactKey(staged.sha256);
    try {
      const saved = await this.txHost.withTransaction(async () => {
        const manager = this.txHost.tx;
        // Serialises every store/cleanup of these bytes, so a failing upload never deletes an artifact that a
        // concurrent upload of the same bytes is about to reference.
        await this.lockArtifact(manager, staged.sha256);
        await this.storage.put(key, staged.path, staged.sizeBytes);
        const locked = await lockForWrite(manager, name, principal);
        const [counted] = await manager.query<[Array<{ latestVersion: number }>, number]>(
          'UPDATE models SET "latestVersion" = "latestVersion" + 1 WHERE id = $1 RETURNING "latestVersion"',
          [locked.id],
        );
        const latestVersion = counted[0].latestVersion;
        const repo = manager.getRepository(ModelVersionEntity);
        const row = await repo.save(
          repo.create({
            modelId: locked.id,
            version: latestVersion,
            status: 'READY',
            description: metadata.description ?? '',
            metrics: metadata.metrics ?? {},
            datasetHash: metadata.datasetHash ?? null,
            runId: metadata.runId ?? null,
            parentVersion: metadata.parentVersion ?? null,
            contributionIds: metadata.contributionIds ?? [],
            tags: [...new Set(metadata.tags ?? [])],
            features,
            signature: operators ? { ...inspected.signature, operators } : inspected.signature,
            batching: metadata.batching
              ? { maxBatchSize: metadata.batching.maxBatchSize, maxDelayMs: metadata.batching.maxDelayMs }
              : null,
            sha256: staged.sha256,
            sizeBytes: staged.sizeBytes,
            artifactKey: key,
            createdBy: principal.owner,
          }),
        );
        await this.events.publish(
          'model.version.created',
          {
            model: { id: locked.id, name: locked.name, tokenId: locked.tokenId },
            version: row.version,
            sha256: row.sha256,
            sizeBytes: row.sizeBytes,
            parentVersion: row.parentVersion,
            metrics: row.metrics,
            datasetHash: row.datasetHash,
            runId: row.runId,
            contributionIds: row.contributionIds,
            createdBy: row.createdBy,
          },
          { modelName: locked.name, owner: locked.owner },
        );
        await this.audit.record({
          action: 'model_version.create',
          target: versionTarget(locked, row.version),
          changes: changesOf(null, row, [
            'version',
            'sha256',
            'sizeBytes',
            'parentVersion',
            'datasetHash',
            'runId',
            'description',
            'tags',
          ]),
        });
        return { model: locked, version: row };
      });
      return { ...saved, aliases: [] };
    } catch (err) {
      await this.removeUnreferenced(staged.sha256, key);
      throw err;
    }
  }

  private async lockArtifact(manager: EntityManager, sha256: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`artifact:${sha256}`]);
  }

  /** Deletes the stored artifact when no version references it (after a failed registration). */
  private async removeUnreferenced(sha256: string, key: string): Promise<void> {
    try {
      // Its own transaction even when create() ran inside a caller's: that one is failing and will roll back.
      await this.txHost.withTransaction(Propagation.RequiresNew, async () => {
        const manager = this.txHost.tx;
        await this.lockArtifact(manager, sha256);
        const used = await manager.getRepository(ModelVersionEntity).existsBy({ sha256 });
        if (!used) await this.storage.delete(key);
      });
    } catch (err) {
      this.logger.error({
        message: 'could not remove an unreferenced artifact',
        sha256,
        error: (err as Error).message,
      });
    }
  }

  async list(principal: Principal, name: string, query: PageQueryDto): Promise<Page<VersionWithAliases>> {
    const model = await this.visibleModel(principal, name);
    const qb = this.txHost.tx
      .getRepository(ModelVersionEntity)
      .createQueryBuilder('v')
      .where('v.modelId = :id', { id: model.id });
    const page = await paginate(qb, 'v', query);
    const aliases = await this.aliasesOf(model.id);
    return {
      items: page.items.map((version) => ({ model, version, aliases: aliases.get(version.version) ?? [] })),
      nextCursor: page.nextCursor,
    };
  }

  async get(principal: Principal | undefined, name: string, version: number): Promise<VersionWithAliases> {
    const model = await this.visibleModel(principal, name);
    return this.getOf(model, version);
  }

  async getOf(model: ModelEntity, version: number): Promise<VersionWithAliases> {
    const row = await this.txHost.tx.getRepository(ModelVersionEntity).findOneBy({ modelId: model.id, version });
    if (!row) throw new RegistryError('VERSION_NOT_FOUND', `Model ${model.name} has no version ${version}.`);
    const aliases = await this.aliasesOf(model.id);
    return { model, version: row, aliases: aliases.get(version) ?? [] };
  }

  async update(
    principal: Principal,
    name: string,
    version: number,
    changes: { description?: string; tags?: string[] },
  ): Promise<VersionWithAliases> {
    await this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const model = await lockForWrite(manager, name, principal);
      const row = await manager.findOneBy(ModelVersionEntity, { modelId: model.id, version });
      if (!row) throw new RegistryError('VERSION_NOT_FOUND', `Model ${name} has no version ${version}.`);
      const patch: Partial<ModelVersionEntity> = {};
      if (changes.description !== undefined) patch.description = changes.description;
      if (changes.tags !== undefined) patch.tags = [...new Set(changes.tags)];
      if (Object.keys(patch).length === 0) return;
      await manager.update(ModelVersionEntity, { id: row.id }, patch);
      await this.events.publish(
        'model.version.updated',
        { model: { id: model.id, name: model.name }, version, changed: Object.keys(patch) },
        { modelName: model.name, owner: model.owner },
      );
      await this.audit.record({
        action: 'model_version.update',
        target: versionTarget(model, version),
        changes: changesOf(row, { ...row, ...patch }, ['description', 'tags']),
      });
    });
    return this.get(principal, name, version);
  }

  /** The chain from `version` back through its parents to the first, with direction-aware deltas. */
  async lineage(
    principal: Principal,
    name: string,
    version: number,
  ): Promise<{ model: ModelEntity; chain: LineageEntry[] }> {
    const model = await this.visibleModel(principal, name);
    const rows = await this.txHost.tx.getRepository(ModelVersionEntity).find({
      where: { modelId: model.id },
      select: {
        version: true,
        parentVersion: true,
        metrics: true,
        datasetHash: true,
        contributionIds: true,
        createdAt: true,
      },
    });
    const byVersion = new Map(rows.map((r) => [r.version, r]));
    let current: ModelVersionEntity | undefined = byVersion.get(version);
    if (!current) throw new RegistryError('VERSION_NOT_FOUND', `Model ${name} has no version ${version}.`);
    const chain: LineageEntry[] = [];
    const seen = new Set<number>();
    while (current && !seen.has(current.version)) {
      seen.add(current.version);
      const parent: ModelVersionEntity | undefined =
        current.parentVersion !== null ? byVersion.get(current.parentVersion) : undefined;
      const value = current.metrics[model.benchmarkMetric] ?? null;
      const delta = parent ? benchmarkDelta(value, parent.metrics[model.benchmarkMetric], model.metricDirection) : null;
      chain.push({
        version: current.version,
        parentVersion: current.parentVersion,
        metrics: current.metrics,
        benchmarkValue: value,
        delta: delta?.delta ?? null,
        deltaBps: delta?.deltaBps ?? null,
        datasetHash: current.datasetHash,
        contributionIds: current.contributionIds,
        createdAt: current.createdAt,
      });
      current = parent;
    }
    return { model, chain };
  }

  async visibleModel(principal: Principal | undefined, name: string): Promise<ModelEntity> {
    return assertVisible(await this.txHost.tx.getRepository(ModelEntity).findOneBy({ name }), name, principal);
  }

  async aliasesOf(modelId: string): Promise<Map<number, string[]>> {
    const rows = await this.txHost.tx
      .getRepository(ModelAliasEntity)
      .find({ where: { modelId }, order: { alias: 'ASC' } });
    const map = new Map<number, string[]>();
    for (const r of rows) map.set(r.version, [...(map.get(r.version) ?? []), r.alias]);
    return map;
  }
}
