import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { writeHashed } from 'src/platform/storage';
import { AliasesService } from './aliases.service';
import { ARTIFACT_STORAGE, ArtifactStorage } from './artifact-storage';
import { StagedArtifact, stagingDir } from './artifact-upload';
import { ModelAliasEntity } from './model-alias.entity';
import { assertActive, assertVisible, ModelAccess } from './model-access';
import { ModelEntity } from './model.entity';
import { RegisteredModel, toRegisteredModel } from './registered-model';
import { RegistryError } from './registry.errors';
import { BatchingSettings, FeatureSpec, ModelVisibility, PRODUCTION, TensorSpec } from './registry.rules';
import { VersionsService, VersionWithAliases } from './versions.service';
import { VersionMetadataDto } from './versions.dto';

/** A version with everything needed to serve, evaluate or retrain it. */
export interface ResolvedVersion {
  modelName: string;
  version: number;
  /** A local file onnxruntime can open (downloaded from S3 into the local cache first when needed). */
  artifactPath: string;
  sha256: string;
  sizeBytes: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  features: FeatureSpec[] | null;
  /** The main graph's operators, or null when they could not be read at registration. */
  operators: string[] | null;
  /** Micro-batching settings for serving, when the version sets them. */
  batching?: BatchingSettings;
  /** The aliases this version holds right now. */
  aliases: string[];
  metrics: Record<string, number>;
  datasetHash: string | null;
  runId: string | null;
  parentVersion: number | null;
  contributionIds: string[];
  createdAt: Date;
  model: RegisteredModel;
}

/** What a version expects of a data row: its features in order, and the model's label. */
export interface FeatureSchema {
  model: RegisteredModel;
  version: number;
  /** In the order the model takes them; null when the version declares none. */
  features: FeatureSpec[] | null;
}

export interface VersionRef {
  version?: number;
  /** Defaults to `production` when neither version nor alias is given; `latest` and `v<n>` work as in MLflow. */
  alias?: string;
  /** When given, a private model of another owner is not found for this caller. */
  principal?: Principal;
}

export interface AliasedVersion extends ModelAccess {
  name: string;
  version: number;
  aliases: string[];
}

export type NewVersionMetadata = Omit<VersionMetadataDto, 'features' | 'batching'> & {
  features?: FeatureSpec[];
  batching?: BatchingSettings;
};

/**
 * The registry's public service: the only way other modules read models and versions
 * (inference, experiments, contributions, training, deltaone).
 */
@Injectable()
export class RegistryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly versions: VersionsService,
    private readonly aliases: AliasesService,
    private readonly config: AppConfig,
    @Inject(ARTIFACT_STORAGE) private readonly storage: ArtifactStorage,
  ) {}

  /** The model, or MODEL_NOT_FOUND (also for another owner's private model when a principal is given). */
  async getModel(name: string, principal?: Principal): Promise<RegisteredModel> {
    return toRegisteredModel(await this.versions.visibleModel(principal, name));
  }

  /** Who owns the model and whether it is private, or null when there is no such model (archived ones included). */
  async access(name: string): Promise<ModelAccess | null> {
    return this.dataSource
      .getRepository(ModelEntity)
      .findOne({ where: { name }, select: { owner: true, visibility: true } });
  }

  /**
   * Resolves `(name, version | alias)` to a version with a local artifact path, its signature and features.
   * With neither version nor alias, the `production` alias. Errors: MODEL_NOT_FOUND, MODEL_ARCHIVED,
   * VERSION_NOT_FOUND, ALIAS_NOT_FOUND.
   */
  async resolve(name: string, ref: VersionRef = {}): Promise<ResolvedVersion> {
    const found = await this.find(name, ref);
    const v = found.version;
    const artifactPath = await this.storage.localPath(v.artifactKey, v.sha256);
    return {
      modelName: found.model.name,
      version: v.version,
      artifactPath,
      sha256: v.sha256,
      sizeBytes: v.sizeBytes,
      inputs: v.signature.inputs,
      outputs: v.signature.outputs,
      features: v.features,
      operators: v.signature.operators ?? null,
      ...(v.batching ? { batching: v.batching } : {}),
      aliases: found.aliases,
      metrics: v.metrics,
      datasetHash: v.datasetHash,
      runId: v.runId,
      parentVersion: v.parentVersion,
      contributionIds: v.contributionIds,
      createdAt: v.createdAt,
      model: toRegisteredModel(found.model),
    };
  }

  /**
   * The feature schema of the version `ref` points at (as `resolve`), from the signature stored at registration:
   * it never reads or downloads the artifact. Errors as `resolve`.
   */
  async featureSchema(name: string, ref: VersionRef = {}): Promise<FeatureSchema> {
    const found = await this.find(name, ref);
    return { model: toRegisteredModel(found.model), version: found.version.version, features: found.version.features };
  }

  private async find(name: string, ref: VersionRef): Promise<VersionWithAliases> {
    const model = assertVisible(
      await this.dataSource.getRepository(ModelEntity).findOneBy({ name }),
      name,
      ref.principal,
    );
    assertActive(model);
    if (ref.version !== undefined) return this.versions.getOf(model, ref.version);
    const alias = ref.alias ?? PRODUCTION;
    // MLflow's reserved names: `latest` is the newest version, `v<n>` is version n.
    if (/^latest$/i.test(alias)) {
      if (model.latestVersion === 0) throw new RegistryError('VERSION_NOT_FOUND', `Model ${name} has no versions.`);
      return this.versions.getOf(model, model.latestVersion);
    }
    if (/^v\d+$/i.test(alias)) return this.versions.getOf(model, Number(alias.slice(1)));
    const row = await this.dataSource.getRepository(ModelAliasEntity).findOneBy({ modelId: model.id, alias });
    if (!row) throw new RegistryError('ALIAS_NOT_FOUND', `Model ${name} has no alias ${alias}.`);
    return this.versions.getOf(model, row.version);
  }

  /** The version that held `production` before the current one (a rollback's target), or null. */
  async previousProduction(name: string): Promise<number | null> {
    const model = assertVisible(await this.dataSource.getRepository(ModelEntity).findOneBy({ name }), name);
    return this.aliases.previousProduction(model.id);
  }

  /**
   * For each active model among `names`, a text that changes whenever what its references resolve to may change
   * (a new version, an alias set, moved or removed, the model made private or public); archived and unknown models
   * are left out. One query, so a cache of resolutions can be checked cheaply.
   */
  async resolutionStamps(names: string[]): Promise<Map<string, string>> {
    const rows = await this.dataSource
      .getRepository(ModelEntity)
      .createQueryBuilder('m')
      .leftJoin(ModelAliasEntity, 'a', 'a.modelId = m.id')
      .select([
        'm.name AS name',
        'm.latestVersion AS latest',
        'm.visibility AS visibility',
        'a.alias AS alias',
        'a.version AS version',
      ])
      .where("m.status = 'active'")
      .andWhere('m.name = ANY(:names)', { names })
      .orderBy('m.name')
      .addOrderBy('a.alias')
      .getRawMany<{ name: string; latest: number; visibility: string; alias: string | null; version: number | null }>();
    const stamps = new Map<string, string>();
    for (const r of rows) {
      const entry = r.alias === null ? '' : ` ${r.alias}=${r.version}`;
      stamps.set(r.name, (stamps.get(r.name) ?? `${r.visibility} latest=${r.latest}`) + entry);
    }
    return stamps;
  }

  /** Every version of an active model that holds at least one alias. */
  async listAliased(): Promise<AliasedVersion[]> {
    const rows = await this.dataSource
      .getRepository(ModelAliasEntity)
      .createQueryBuilder('a')
      .innerJoin(ModelEntity, 'm', 'm.id = a.modelId')
      .select([
        'm.name AS name',
        'm.owner AS owner',
        'm.visibility AS visibility',
        'a.version AS version',
        'a.alias AS alias',
      ])
      .where("m.status = 'active'")
      .orderBy('m.name')
      .addOrderBy('a.version')
      .addOrderBy('a.alias')
      .getRawMany<{ name: string; owner: string; visibility: ModelVisibility; version: number; alias: string }>();
    const out = new Map<string, AliasedVersion>();
    for (const r of rows) {
      const key = `${r.name}@${r.version}`;
      const entry = out.get(key) ?? {
        name: r.name,
        owner: r.owner,
        visibility: r.visibility,
        version: r.version,
        aliases: [],
      };
      entry.aliases.push(r.alias);
      out.set(key, entry);
    }
    return [...out.values()];
  }

  /**
   * Registers a local ONNX file as the model's next version (for training). The file is copied, not moved.
   * The same checks as an upload apply.
   */
  async registerVersionFromFile(
    principal: Principal,
    name: string,
    path: string,
    metadata: NewVersionMetadata = {},
  ): Promise<ResolvedVersion> {
    const staged = await this.stage(path);
    try {
      if (staged.sizeBytes === 0) throw RegistryError.field('ARTIFACT_EMPTY', 'file', 'The file is empty.');
      const created = await this.versions.create(principal, name, staged, metadata);
      return this.resolve(name, { version: created.version.version });
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  private async stage(source: string): Promise<StagedArtifact> {
    const dir = await stagingDir(this.config.ARTIFACT_DIR);
    const path = join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}.upload`);
    const { sha256, sizeBytes } = await writeHashed(createReadStream(source), path);
    return { path, sha256, sizeBytes, filename: source };
  }

  /** Points `production` at `version` (auto-promotion of experiments). */
  async promote(
    principal: Principal,
    name: string,
    version: number,
  ): Promise<{ version: number; previousVersion: number | null }> {
    const moved = await this.aliases.promote(principal, name, version);
    return { version: moved.alias.version, previousVersion: moved.previousVersion };
  }

  /** Points `production` back at the version that held it before (guardrail rollback). */
  async rollback(principal: Principal, name: string): Promise<{ version: number; previousVersion: number | null }> {
    const moved = await this.aliases.rollback(principal, name);
    return { version: moved.alias.version, previousVersion: moved.previousVersion };
  }

  /** Streams a version's artifact. */
  async openArtifact(
    name: string,
    version: number,
    principal?: Principal,
  ): Promise<{ stream: Readable; sha256: string; sizeBytes: number }> {
    const found = await this.versions.get(principal, name, version);
    return {
      stream: await this.storage.read(found.version.artifactKey),
      sha256: found.version.sha256,
      sizeBytes: found.version.sizeBytes,
    };
  }

  /**
   * The versions whose lineage names any of `contributionIds` (the models trained on them), whoever owns the model:
   * for the contributor's own data export.
   */
  async versionsTrainedOn(
    contributionIds: string[],
  ): Promise<{ modelName: string; version: number; contributionIds: string[] }[]> {
    if (contributionIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT m.name AS "modelName", v.version, v."contributionIds"
         FROM model_versions v JOIN models m ON m.id = v."modelId"
        WHERE v."contributionIds" && $1::text[]
        ORDER BY m.name, v.version`,
      [contributionIds],
    );
  }

  /** Releases the storage client (on shutdown). */
  close(): void {
    this.storage.close();
  }
}
