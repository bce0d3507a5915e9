import { Inject, Injectable } from '@nestjs/common';
import { expectedColumns } from 'src/modules/contributions';
import { ArtifactStorage, assertWritable, RegistryError, RegistryService } from 'src/modules/registry';
import { AuditService } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { DatasetEntity } from './dataset.entity';
import { ingestRows, storedDatasetHash } from './dataset-store';
import { StagedDataset } from './dataset-upload';
import { DatasetError } from './datasets.errors';
import './datasets.events';
import { DatasetKind, DatasetRecord, DatasetRow, FeatureChunk } from './datasets.types';
import { readFeatureChunk } from './feature-matrix';

export const DATASET_STORAGE = Symbol('DATASET_STORAGE');

/** Rows read from `dataset_rows` at a time by `rows()`. */
const READ_CHUNK = 1000;

export const datasetFileKey = (sha256: string, format: string): string =>
  `datasets/sha256/${sha256.slice(0, 2)}/${sha256}.${format}`;

export function toDatasetRecord(d: DatasetEntity): DatasetRecord {
  return {
    id: d.id,
    modelId: d.modelId,
    kind: d.kind,
    hash: d.hash,
    rowCount: d.rowCount,
    columns: d.columns,
    labelColumn: d.labelColumn,
    description: d.description,
    createdAt: d.createdAt,
  };
}

const notFound = (id: string): DatasetError => new DatasetError('DATASET_NOT_FOUND', `No dataset ${id}.`);

/**
 * Benchmarks and training sets of a model: uploaded rows checked against the production version's feature schema,
 * stored typed and hashed (`dataset_rows`), one active benchmark per model. The public service other modules
 * (evaluation, the leakage gate) read datasets through.
 */
@Injectable()
export class DatasetsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    @Inject(DATASET_STORAGE) private readonly storage: ArtifactStorage,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(DatasetEntity);
  }

  /** The dataset (server side: no access check), or DATASET_NOT_FOUND. */
  async get(id: string): Promise<DatasetRecord> {
    const d = await this.repo.findOneBy({ id });
    if (!d) throw notFound(id);
    return toDatasetRecord(d);
  }

  /** The model's active benchmark, or null when it has none. */
  async activeBenchmark(modelId: string): Promise<DatasetRecord | null> {
    const d = await this.repo.findOneBy({ modelId, active: true });
    return d ? toDatasetRecord(d) : null;
  }

  /** The model's newest dataset of `kind` (training: what a training run starts from), or null. */
  async latestOfKind(modelId: string, kind: DatasetKind): Promise<DatasetRecord | null> {
    const d = await this.repo.findOne({ where: { modelId, kind }, order: { createdAt: 'DESC', id: 'DESC' } });
    return d ? toDatasetRecord(d) : null;
  }

  /** Datasets of the model whose hash is `hash` (e.g. a version's declared training dataset), newest first. */
  async findByHash(modelId: string, hash: string): Promise<DatasetRecord[]> {
    const found = await this.repo.find({ where: { modelId, hash }, order: { createdAt: 'DESC' } });
    return found.map(toDatasetRecord);
  }

  /** The typed rows in file order, `READ_CHUNK` at a time (keyset on the row index: memory holds one chunk). */
  async *rows(datasetId: string): AsyncIterable<DatasetRow[]> {
    await this.get(datasetId);
    let after = -1;
    for (;;) {
      const found: { rowIndex: number; hash: string; values: Record<string, unknown> }[] = await this.txHost.tx.query(
        `SELECT "rowIndex", "hash", "values" FROM dataset_rows
          WHERE "datasetId" = $1 AND "rowIndex" > $2 ORDER BY "rowIndex" LIMIT $3`,
        [datasetId, after, READ_CHUNK],
      );
      if (found.length === 0) return;
      yield found.map((r) => ({ hash: r.hash, values: r.values }));
      after = found[found.length - 1].rowIndex;
      if (found.length < READ_CHUNK) return;
    }
  }

  /**
   * The rows' `features` as numbers, in that order, with each row's label, `chunkRows` rows at a time in file
   * order (the rows' packed `features`, see readFeatureChunk: node builds no row objects).
   */
  async *featureChunks(
    datasetId: string,
    features: readonly string[],
    labelColumn: string,
    chunkRows = READ_CHUNK,
  ): AsyncIterable<FeatureChunk> {
    const layout = (await this.get(datasetId)).columns;
    let after = -1;
    for (;;) {
      const chunk = await readFeatureChunk(this.txHost.tx, datasetId, layout, features, labelColumn, after, chunkRows);
      if (!chunk) return;
      yield chunk;
      after = chunk.last;
      if (chunk.rows < chunkRows) return;
    }
  }

  /** The distinct row hashes of the dataset (`dataset_rows.hash`, indexed, for joins with contribution rows). */
  async rowHashes(datasetId: string): Promise<Set<string>> {
    await this.get(datasetId);
    const found: { hash: string }[] = await this.txHost.tx.query(
      `SELECT DISTINCT "hash" FROM dataset_rows WHERE "datasetId" = $1`,
      [datasetId],
    );
    return new Set(found.map((r) => r.hash));
  }

  /** Up to `limit` distinct values of `column` among the dataset's rows (JSON values: a label's classes). */
  async distinctValues(datasetId: string, column: string, limit: number): Promise<unknown[]> {
    const found: { v: unknown }[] = await this.txHost.tx.query(
      `SELECT DISTINCT "values" -> $2 AS v FROM dataset_rows WHERE "datasetId" = $1 LIMIT $3`,
      [datasetId, column, limit],
    );
    return found.map((r) => r.v);
  }

  /** How many distinct `hashes` are rows of the dataset (a leakage check without loading the dataset). */
  async countRowsAmong(datasetId: string, hashes: readonly string[]): Promise<number> {
    if (hashes.length === 0) return 0;
    const [{ n }]: { n: number }[] = await this.txHost.tx.query(
      `SELECT count(DISTINCT "hash")::int AS n FROM dataset_rows WHERE "datasetId" = $1 AND "hash" = ANY($2::text[])`,
      [datasetId, [...hashes]],
    );
    return n;
  }

  /** Refuses before the upload is read when the caller may not add datasets to the model. */
  async assertCanUpload(principal: Principal, name: string): Promise<void> {
    assertWritable(await this.registry.getModel(name, principal), principal);
  }

  /**
   * Stores a staged upload as a dataset of the model, in one transaction: rows checked against the production
   * version's features plus the label column (any bad row refuses it all), inserted and hashed; the file kept in
   * the artifact storage by its sha256; the first benchmark of a model made active. A failure leaves nothing but,
   * at worst, the content-addressed file.
   */
  async upload(
    principal: Principal,
    name: string,
    file: StagedDataset,
    input: { kind: DatasetKind; description?: string },
  ): Promise<DatasetEntity> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    const schema = await this.registry.featureSchema(name, { principal }).catch((err: unknown) => {
      if (err instanceof RegistryError && err.code === 'ALIAS_NOT_FOUND') return null;
      throw err;
    });
    const labelColumn = model.labelColumn;
    if (!schema?.features || !labelColumn) {
      throw new DatasetError(
        'NO_FEATURE_SCHEMA',
        `Model ${name} takes no datasets: it needs a production version with features and a label column.`,
      );
    }
    const columns = expectedColumns(schema.features, labelColumn, model.labelKind);
    const fileKey = datasetFileKey(file.sha256, file.format);
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const d = await manager.getRepository(DatasetEntity).save(
        manager.getRepository(DatasetEntity).create({
          modelId: model.id,
          modelName: model.name,
          kind: input.kind,
          hash: 'pending',
          rowCount: 0,
          columns: columns.map((c) => c.name),
          labelColumn,
          schemaVersion: schema.version,
          description: input.description ?? null,
          active: false,
          format: file.format,
          fileSha256: file.sha256,
          fileKey,
          sizeBytes: file.sizeBytes,
          createdByOwner: principal.owner,
          createdByKeyId: principal.keyId,
        }),
      );
      d.rowCount = await ingestRows(manager, d.id, file, columns);
      d.hash = await storedDatasetHash(manager, d.id);
      await this.storage.put(fileKey, file.path, file.sizeBytes);
      // Taken after the rows are in, so uploads to one model are not serialised, only their last step: with it,
      // "the model's first benchmark becomes active" holds under concurrent uploads (and PUT /benchmark).
      await this.lockBenchmark(model.id);
      d.active =
        d.kind === 'benchmark' &&
        !(await manager.getRepository(DatasetEntity).existsBy({ modelId: model.id, active: true }));
      await manager.getRepository(DatasetEntity).update(d.id, { rowCount: d.rowCount, hash: d.hash, active: d.active });
      await this.events.publish(
        'dataset.created',
        { datasetId: d.id, model: model.name, kind: d.kind, hash: d.hash, rowCount: d.rowCount, active: d.active },
        { modelName: model.name, owner: model.owner },
      );
      await this.audit.record({
        action: 'dataset.create',
        target: { type: 'dataset', id: d.id, owner: model.owner },
        changes: {
          model: { from: null, to: model.name },
          kind: { from: null, to: d.kind },
          rowCount: { from: null, to: d.rowCount },
          datasetHash: { from: null, to: d.hash },
          active: { from: null, to: d.active },
        },
      });
      return d;
    });
  }

  /** The model's datasets, newest first; `kind` filters. */
  async list(
    principal: Principal,
    name: string,
    query: PageQueryDto & { kind?: DatasetKind },
  ): Promise<Page<DatasetEntity>> {
    const model = await this.registry.getModel(name, principal);
    const qb = this.repo.createQueryBuilder('d').where('d.modelId = :modelId', { modelId: model.id });
    if (query.kind) qb.andWhere('d.kind = :kind', { kind: query.kind });
    return paginate(qb, 'd', query);
  }

  /** One dataset of the model, or DATASET_NOT_FOUND (also when it belongs to another model). */
  async getOfModel(principal: Principal, name: string, id: string): Promise<DatasetEntity> {
    const model = await this.registry.getModel(name, principal);
    const d = await this.repo.findOneBy({ id, modelId: model.id });
    if (!d) throw notFound(id);
    return d;
  }

  /** Makes the model's benchmark `datasetId` the active one (the previous one stays, inactive). */
  async setBenchmark(principal: Principal, name: string, datasetId: string): Promise<DatasetEntity> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      await this.lockBenchmark(model.id);
      const repo = manager.getRepository(DatasetEntity);
      const d = await repo.findOneBy({ id: datasetId, modelId: model.id });
      if (!d) throw notFound(datasetId);
      if (d.kind !== 'benchmark') {
        throw new DatasetError('NOT_A_BENCHMARK', `Dataset ${datasetId} is a ${d.kind} dataset, not a benchmark.`, {
          errors: [{ field: 'datasetId', code: 'NOT_A_BENCHMARK', message: 'the dataset is not a benchmark' }],
        });
      }
      if (d.active) return d;
      const previous = await repo.findOneBy({ modelId: model.id, active: true });
      if (previous) await repo.update(previous.id, { active: false });
      await repo.update(d.id, { active: true });
      d.active = true;
      await this.audit.record({
        action: 'model.benchmark.set',
        target: { type: 'model', id: model.name, owner: model.owner },
        changes: { benchmark: { from: previous?.id ?? null, to: d.id } },
      });
      return d;
    });
  }

  /** Locks the model's active benchmark for the rest of the transaction. */
  private async lockBenchmark(modelId: string): Promise<void> {
    await this.txHost.tx.query(`SELECT pg_advisory_xact_lock(hashtext('datasets.benchmark:' || $1))`, [modelId]);
  }
}
