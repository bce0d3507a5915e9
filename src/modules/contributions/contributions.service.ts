import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { PrivacyService } from 'src/modules/privacy';
import { assertWritable, RegisteredModel, RegistryError, RegistryService } from 'src/modules/registry';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { QueueService } from 'src/platform/queue';
import { WebhookPublisher } from 'src/modules/webhooks';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { ContributionRowEntity } from './contribution-row.entity';
import { ContributionSettingsEntity } from './contribution-settings.entity';
import { ContributionEntity } from './contribution.entity';
import { advance } from './contribution-lifecycle';
import { ContributionUploadEntity } from './contribution-upload.entity';
import { ContributionUploadPartEntity } from './contribution-upload-part.entity';
import { readRows, UploadFormat } from './contribution-upload';
import {
  checkSignature,
  ColumnSpec,
  datasetHashOfRows,
  expectedColumns,
  normaliseWallet,
  Row,
  signatureMessage,
  typeTextRow,
} from './contribution.rules';
import { ContributionError } from './contributions.errors';
import { PiiPolicy } from './pii-policy';
import { ContributionRun } from './contribution-pipeline';
import {
  countOutliers,
  erasedUnderLock,
  mergeModelStats,
  modelReference,
  storeChunk,
  storedDatasetHash,
} from './contribution-store';

export interface ContributionSubmission {
  rows: Row[];
  /** The rows come from CSV: every cell is text, typed by the model's schema. */
  textCells?: boolean;
  contributor: { walletAddress: string; signature?: string; signedAt?: string };
  license?: string;
  metadata?: Record<string, unknown>;
}

export interface ContributionSettings {
  modelName: string;
  piiPolicy: PiiPolicy;
  minQuality: number;
  requireSignature: boolean;
}

export interface AcceptedRow {
  id: string;
  contributionId: string;
  data: Record<string, unknown>;
}

/** The training run that used contributions' rows. */
export interface TrainingRef {
  modelName: string;
  version: number;
}

/** The reward paid for contributions (a mint transaction, when on chain). */
export interface RewardRef {
  txHash?: string;
  rewardId?: string;
}

interface SubmitContext {
  model: RegisteredModel;
  wallet: string;
  settings: ContributionSettings;
  columns: ColumnSpec[];
}

export const DEFAULT_MIN_QUALITY = 0.8;
export const LARGE_UPLOAD_QUEUE = 'contributions.large-upload';
/**
 * Rows processed and inserted at a time by the durable job: its memory does not grow with the file. Small, so a
 * chunk's short-lived objects die in V8's young generation instead of being promoted and piling up until a full
 * collection (server RSS growth for a 50 MB upload: about 229 MB with 5,000-row chunks, about 150 MB with 500).
 */
export const CHUNK_ROWS = 500;

/** A stored upload is written and read in pieces of this size. */
const UPLOAD_PART_BYTES = 1024 * 1024;

/** The slice of node-postgres's client that uploadBytes uses. */
interface PgClient {
  query(config: { text: string; values: unknown[]; binary: boolean }): Promise<{ rows: { data: Buffer }[] }>;
}

/** Where a contribution's rows come from and what to check once they are all read. */
interface RowSource {
  chunks: Iterable<Row[]> | AsyncIterable<Row[]>;
  textCells: boolean;
  /** A signature the job checks against the dataset hash of the submitted rows (the request checks before). */
  signature?: { signature: string; signedAt: string };
}

/**
 * Data contributions: checks a batch against the model's feature schema, scans it for PII, hashes and dedupes its
 * rows, scores its quality and stores the accepted rows for training. Each state change and its webhook event
 * commit together.
 */
@Injectable()
export class ContributionsService implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: RegistryService,
    private readonly privacy: PrivacyService,
    private readonly publisher: WebhookPublisher,
    private readonly config: AppConfig,
    private readonly queue: QueueService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(LARGE_UPLOAD_QUEUE, { retryLimit: 5, retryDelaySeconds: 10, retryBackoff: true });
    await this.queue.work<{ contributionId: string }>(LARGE_UPLOAD_QUEUE, (job) =>
      this.processUpload(job.data.contributionId),
    );
  }

  /** The server refuses to start when a model pseudonymises PII and no secret is configured. */
  async onModuleInit(): Promise<void> {
    if (this.config.CONTRIBUTION_PSEUDONYM_SECRET) return;
    const models = await this.dataSource
      .getRepository(ContributionSettingsEntity)
      .findBy({ piiPolicy: 'pseudonymize' });
    if (models.length > 0) {
      throw new Error(
        `CONTRIBUTION_PSEUDONYM_SECRET must be set: models ${models.map((m) => m.modelName).join(', ')} pseudonymize PII in contributions.`,
      );
    }
  }

  async getSettings(principal: Principal, name: string): Promise<ContributionSettings> {
    const model = await this.registry.getModel(name, principal);
    return this.settingsOf(this.dataSource.manager, model.id, model.name);
  }

  async updateSettings(
    principal: Principal,
    name: string,
    patch: Partial<Omit<ContributionSettings, 'modelName'>>,
  ): Promise<ContributionSettings> {
    const model = await this.registry.getModel(name, principal);
    assertWritable(model, principal);
    if (patch.piiPolicy === 'pseudonymize' && !this.config.CONTRIBUTION_PSEUDONYM_SECRET) {
      throw new ContributionError(
        'PSEUDONYMIZE_SECRET_MISSING',
        'The server has no CONTRIBUTION_PSEUDONYM_SECRET, so it cannot pseudonymize PII.',
        { errors: [{ field: 'piiPolicy', code: 'PSEUDONYMIZE_SECRET_MISSING', message: 'no pseudonym secret' }] },
      );
    }
    const current = await this.settingsOf(this.dataSource.manager, model.id, model.name);
    const next = { ...current, ...patch };
    await this.dataSource.getRepository(ContributionSettingsEntity).save({
      modelId: model.id,
      modelName: model.name,
      piiPolicy: next.piiPolicy,
      minQuality: next.minQuality,
      requireSignature: next.requireSignature,
      updatedBy: principal.owner,
    });
    return next;
  }

  private async settingsOf(manager: EntityManager, modelId: string, modelName: string): Promise<ContributionSettings> {
    const s = await manager.getRepository(ContributionSettingsEntity).findOneBy({ modelId });
    return {
      modelName,
      piiPolicy: s?.piiPolicy ?? 'reject',
      minQuality: s?.minQuality ?? DEFAULT_MIN_QUALITY,
      requireSignature: s?.requireSignature ?? false,
    };
  }

  /**
   * Processes a batch in the request: received → validating → accepted | rejected. A rejection for a low quality
   * score is an answer (the contribution, rejected); no acceptable row and PII under the `reject` policy are
   * errors (after the contribution is recorded as rejected).
   */
  async submit(
    principal: Principal,
    name: string,
    input: ContributionSubmission,
    idempotencyKey?: string,
  ): Promise<ContributionEntity> {
    const done = await this.byIdempotencyKey(principal, idempotencyKey);
    if (done) return done;
    const ctx = await this.prepare(name, input.contributor.walletAddress, principal);
    const textCells = input.textCells ?? false;
    const rows = textCells ? input.rows.map((r) => typeTextRow(r, ctx.columns)) : input.rows;
    const signatureVerified = this.checkContributor(
      ctx.model.name,
      ctx.wallet,
      { ...input, rows },
      ctx.settings.requireSignature,
    );
    const contribution = await this.dataSource.transaction((manager) =>
      this.receive(manager, principal, ctx, input, signatureVerified, rows.length, idempotencyKey),
    );
    return this.process(contribution, ctx, { chunks: [rows], textCells });
  }

  /** A retry after a crash between the commit and the answer: the contribution exists, answer with it. */
  private async byIdempotencyKey(principal: Principal, key?: string): Promise<ContributionEntity | null> {
    if (!key) return null;
    return this.dataSource.getRepository(ContributionEntity).findOneBy({ owner: principal.owner, idempotencyKey: key });
  }

  /**
   * A multipart upload of more than 10,000 rows: recorded as received with its file (copied from `file.path` a
   * piece at a time), in the same transaction as the durable job that processes it (answered 202). The signature,
   * when given, is checked by the job against the time of receipt.
   */
  async submitLarge(
    principal: Principal,
    name: string,
    input: Omit<ContributionSubmission, 'rows'>,
    file: { path: string; format: UploadFormat },
    idempotencyKey?: string,
  ): Promise<ContributionEntity> {
    const done = await this.byIdempotencyKey(principal, idempotencyKey);
    if (done) return done;
    const ctx = await this.prepare(name, input.contributor.walletAddress, principal);
    const { signature, signedAt } = input.contributor;
    if (ctx.settings.requireSignature && (!signature || !signedAt))
      this.checkContributor(ctx.model.name, ctx.wallet, { ...input, rows: [] }, true);
    return this.dataSource.transaction(async (manager) => {
      const c = await this.receive(manager, principal, ctx, input, false, 0, idempotencyKey);
      await manager.getRepository(ContributionUploadEntity).insert({
        contributionId: c.id,
        format: file.format,
        signature: signature ?? null,
        signedAt: signedAt ?? null,
      });
      let seq = 0;
      const parts = manager.getRepository(ContributionUploadPartEntity);
      for await (const data of createReadStream(file.path, { highWaterMark: UPLOAD_PART_BYTES })) {
        await parts.insert({ contributionId: c.id, seq: seq++, data: data as Buffer });
      }
      await this.queue.enqueue(LARGE_UPLOAD_QUEUE, { contributionId: c.id }, { manager, id: c.id });
      return c;
    });
  }

  /**
   * The durable job's work: stream the stored file a piece at a time through the pipeline in chunks of
   * CHUNK_ROWS rows, then drop the file. Safe to rerun: nothing of a run commits until its last transaction.
   */
  async processUpload(contributionId: string): Promise<void> {
    const c = await this.dataSource.getRepository(ContributionEntity).findOneBy({ id: contributionId });
    const upload = await this.dataSource.getRepository(ContributionUploadEntity).findOneBy({ contributionId });
    if (!c || !upload || (c.status !== 'received' && c.status !== 'validating')) {
      await this.dropUpload(contributionId);
      return;
    }
    const ctx = await this.prepare(c.modelName, c.walletAddress);
    const textCells = upload.format === 'csv';
    const chunks = (async function* (bytes: AsyncIterable<Buffer>): AsyncGenerator<Row[]> {
      for await (const chunk of readRows(Readable.from(bytes), upload.format, CHUNK_ROWS))
        yield textCells ? chunk.map((r) => typeTextRow(r, ctx.columns)) : chunk;
    })(this.uploadBytes(contributionId));
    const signature =
      upload.signature && upload.signedAt ? { signature: upload.signature, signedAt: upload.signedAt } : undefined;
    await this.process(c, ctx, { chunks, textCells, signature }).catch((err: unknown) => {
      if (!(err instanceof ContributionError)) throw err;
    });
    // Only once the contribution is accepted or rejected: after an unexpected failure (the database, a crash)
    // nothing of the run is committed and the job's retry needs the file.
    await this.dropUpload(contributionId);
  }

  private dropUpload(contributionId: string): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ContributionUploadPartEntity).delete({ contributionId });
      await manager.getRepository(ContributionUploadEntity).delete({ contributionId });
    });
  }

  /**
   * A stored upload's bytes, one part at a time, read in PostgreSQL's binary format: as text, a bytea comes back
   * as a hex string twice its size, and 1 MB parts make 2 MB strings that only a full collection frees.
   */
  private async *uploadBytes(contributionId: string): AsyncGenerator<Buffer> {
    const driver = this.dataSource.driver as PostgresDriver;
    for (let seq = 0; ; seq++) {
      const [client, release] = (await driver.obtainMasterConnection()) as [PgClient, () => void];
      let data: Buffer | undefined;
      try {
        const result = await client.query({
          text: 'SELECT data FROM contribution_upload_parts WHERE "contributionId" = $1 AND seq = $2',
          values: [contributionId, seq],
          binary: true,
        });
        data = result.rows[0]?.data;
      } finally {
        release();
      }
      if (!data) return;
      yield data;
    }
  }

  private async prepare(name: string, walletAddress: string, principal?: Principal): Promise<SubmitContext> {
    const wallet = normaliseWallet(walletAddress);
    if (!wallet) {
      const message =
        'walletAddress must be a 0x address of 40 hex digits, with a valid EIP-55 checksum when mixed case';
      throw new ContributionError('INVALID_WALLET', message, {
        errors: [{ field: 'contributor.walletAddress', code: 'INVALID_WALLET', message }],
      });
    }
    // The stored signature only: an S3-backed registry must not download the artifact for a feature list.
    const schema = await this.registry.featureSchema(name, { principal }).catch((err: unknown) => {
      if (err instanceof RegistryError && err.code === 'ALIAS_NOT_FOUND') return null;
      throw err;
    });
    const labelColumn = schema?.model.labelColumn;
    if (!schema?.features || !labelColumn) {
      throw new ContributionError(
        'NO_FEATURE_SCHEMA',
        `Model ${name} takes no contributions: it needs a production version with features and a label column.`,
      );
    }
    const { model, features } = schema;
    const settings = await this.settingsOf(this.dataSource.manager, model.id, model.name);
    return { model, wallet, settings, columns: expectedColumns(features, labelColumn, model.labelKind) };
  }

  /** Records the contribution as received, with `contribution.received`, in the caller's transaction. */
  private async receive(
    manager: EntityManager,
    principal: Principal,
    ctx: SubmitContext,
    input: Omit<ContributionSubmission, 'rows'>,
    signatureVerified: boolean,
    receivedRows: number,
    idempotencyKey?: string,
  ): Promise<ContributionEntity> {
    const { model, wallet } = ctx;
    const c = await manager.getRepository(ContributionEntity).save(
      manager.getRepository(ContributionEntity).create({
        modelId: model.id,
        modelName: model.name,
        modelOwner: model.owner,
        owner: principal.owner,
        createdByKeyId: principal.keyId,
        idempotencyKey: idempotencyKey ?? null,
        walletAddress: wallet,
        signatureVerified,
        status: 'received',
        receivedRows,
        license: input.license ?? null,
        metadata: input.metadata ?? {},
        receivedAt: new Date(),
      }),
    );
    await this.publisher.publish(
      manager,
      'contribution.received',
      { contributionId: c.id, model: model.name, rows: receivedRows, walletAddress: wallet },
      { modelName: model.name, owner: principal.owner },
    );
    return c;
  }

  /**
   * validating → accepted | rejected, in one transaction whatever the size: the rows are checked, scanned,
   * hashed and inserted chunk by chunk (memory holds one chunk), the quality report is made from the running
   * statistics and the outliers counted in SQL over the inserted rows; a rejection rolls the rows back, so a
   * rejected contribution leaves no row behind and an accepted one appears whole. Throws NO_ACCEPTABLE_ROWS and
   * PII_DETECTED (and a file or signature problem found by the job) once the rejection is recorded.
   */
  private async process(c: ContributionEntity, ctx: SubmitContext, source: RowSource): Promise<ContributionEntity> {
    const { settings, columns } = ctx;
    c.status = 'validating';
    c.validatingAt = new Date();
    await this.dataSource
      .getRepository(ContributionEntity)
      .update(c.id, { status: 'validating', validatingAt: c.validatingAt });
    const run = new ContributionRun(columns, (rows) => this.privacy.scanRows(rows), settings.piiPolicy, {
      secret: this.config.CONTRIBUTION_PSEUDONYM_SECRET,
      textCells: source.textCells,
      hashSubmitted: source.signature !== undefined,
    });
    const ids = { contributionId: c.id, modelId: c.modelId };
    const rejection = await this.dataSource.transaction(async (manager) => {
      // Serialises with an erasure of the contributor (which locks its contributions): rows never land after it.
      if (await erasedUnderLock(manager, c.id)) return null;
      await manager.query('SAVEPOINT contribution_rows');
      let creditedRows = 0;
      let unreadable: ContributionError | null = null;
      try {
        for await (const chunk of source.chunks) {
          const stored = run.add(chunk);
          if (stored.rows.length > 0) creditedRows += await storeChunk(manager, ids, stored);
        }
      } catch (err) {
        if (!(err instanceof ContributionError)) throw err;
        unreadable = err;
      }
      c.receivedRows = run.received;
      c.rejectedRows = run.received - run.valid;
      c.rowErrors = run.problems;
      const problem = unreadable ?? this.judge(c, run, source);
      if (!problem) {
        const reference = await modelReference(manager, c.modelId, columns);
        const outliers = await countOutliers(manager, c.id, reference ?? run.quality.batchReference());
        c.qualityReport = run.quality.report(outliers, reference ? 'model' : 'batch');
        c.datasetHash = await storedDatasetHash(manager, c.id);
      }
      const lowQuality = !problem && c.qualityReport!.score < settings.minQuality;
      if (problem || lowQuality) {
        await manager.query('ROLLBACK TO SAVEPOINT contribution_rows');
        const code = problem?.code ?? 'LOW_QUALITY';
        const reason =
          problem?.detail ??
          `Quality score ${c.qualityReport!.score} is below the model's minimum ${settings.minQuality}.`;
        await this.finish(manager, c, code, reason);
        return problem;
      }
      await mergeModelStats(manager, ids, columns);
      c.acceptedRows = creditedRows;
      c.duplicateRows = run.valid - creditedRows;
      await this.finish(manager, c, null, null);
      return null;
    });
    if (rejection) throw rejection;
    return c;
  }

  /** The problem that rejects the whole batch once read (signature, no acceptable row, PII refused), if any. */
  private judge(c: ContributionEntity, run: ContributionRun, source: RowSource): ContributionError | null {
    if (source.signature) {
      const { signature, signedAt } = source.signature;
      const message = signatureMessage(c.modelName, run.submittedHash(), signedAt);
      const problem = checkSignature(c.walletAddress, signature, message, signedAt, c.receivedAt.getTime());
      if (problem) {
        return new ContributionError(
          problem,
          'The signature does not prove the wallet signed this dataset within 10 minutes.',
        );
      }
      c.signatureVerified = true;
    }
    if (run.valid === 0) {
      return new ContributionError('NO_ACCEPTABLE_ROWS', 'No row matches the model feature schema.', {
        contributionId: c.id,
        rowErrors: c.rowErrors,
      });
    }
    c.piiSummary = run.pii.summary();
    if (run.refused) {
      const types = Object.keys(c.piiSummary.byType).join(', ');
      return new ContributionError(
        'PII_DETECTED',
        `The rows hold personal data (${types}); the model's policy is to refuse it.`,
        {
          contributionId: c.id,
          findings: run.findings.map((f) => ({
            row: f.row,
            column: f.column,
            type: f.type,
            start: f.start,
            end: f.end,
          })),
        },
      );
    }
    return null;
  }

  /** Whether a signature was checked; throws when one is required and missing, or is wrong or stale. */
  private checkContributor(model: string, wallet: string, input: ContributionSubmission, required: boolean): boolean {
    const { signature, signedAt } = input.contributor;
    if (!signature || !signedAt) {
      if (!required) return false;
      throw new ContributionError(
        'SIGNATURE_REQUIRED',
        `Model ${model} requires an EIP-191 signature of the contribution (contributor.signature and contributor.signedAt).`,
        { errors: [{ field: 'contributor.signature', code: 'SIGNATURE_REQUIRED', message: 'signature is required' }] },
      );
    }
    const message = signatureMessage(model, datasetHashOfRows(input.rows), signedAt);
    const problem = checkSignature(wallet, signature, message, signedAt);
    if (problem === 'SIGNATURE_STALE') {
      throw new ContributionError(
        'SIGNATURE_STALE',
        'contributor.signedAt is more than 10 minutes from the server clock.',
        {
          errors: [{ field: 'contributor.signedAt', code: problem, message: 'signedAt is not within 10 minutes' }],
        },
      );
    }
    if (problem === 'SIGNATURE_INVALID') {
      throw new ContributionError(
        'SIGNATURE_INVALID',
        'contributor.signature is not a signature of the contribution message by contributor.walletAddress.',
        { errors: [{ field: 'contributor.signature', code: problem, message: 'signature does not match' }] },
      );
    }
    return true;
  }

  /** The last state change (accepted, or rejected with a code), with `contribution.processed`, in `manager`. */
  private async finish(
    manager: EntityManager,
    c: ContributionEntity,
    rejectionCode: string | null,
    rejectionReason: string | null,
  ): Promise<void> {
    const at = new Date();
    if (rejectionCode) {
      c.status = 'rejected';
      c.rejectedAt = at;
      c.rejectionCode = rejectionCode;
      c.rejectionReason = rejectionReason;
      c.rejectedRows = c.receivedRows;
      c.acceptedRows = 0;
      c.duplicateRows = 0;
    } else {
      c.status = 'accepted';
      c.acceptedAt = at;
    }
    await manager.getRepository(ContributionEntity).update(c.id, {
      status: c.status,
      signatureVerified: c.signatureVerified,
      receivedRows: c.receivedRows,
      rejectedAt: c.rejectedAt ?? null,
      acceptedAt: c.acceptedAt ?? null,
      rejectionCode: c.rejectionCode ?? null,
      rejectionReason: c.rejectionReason ?? null,
      acceptedRows: c.acceptedRows,
      rejectedRows: c.rejectedRows,
      duplicateRows: c.duplicateRows,
      datasetHash: c.datasetHash ?? null,
      qualityReport: c.qualityReport ?? null,
      piiSummary: c.piiSummary ?? null,
      rowErrors: c.rowErrors ?? null,
    });
    await this.publisher.publish(
      manager,
      'contribution.processed',
      {
        contributionId: c.id,
        model: c.modelName,
        status: c.status,
        reason: c.rejectionReason ?? null,
        code: c.rejectionCode ?? null,
        acceptedRows: c.acceptedRows,
        datasetHash: c.datasetHash ?? null,
      },
      { modelName: c.modelName, owner: c.owner },
    );
  }

  /**
   * accepted → included_in_training, for the training run that used the contributions' rows: in the caller's
   * transaction, with `contribution.included_in_training` for each. Refuses (CONTRIBUTION_NOT_FOUND,
   * ILLEGAL_TRANSITION) before changing anything when one is unknown or not accepted.
   */
  markIncludedInTraining(
    manager: EntityManager,
    contributionIds: string[],
    training: TrainingRef,
  ): Promise<ContributionEntity[]> {
    return advance(manager, this.publisher, contributionIds, 'accepted', 'included_in_training', { ...training });
  }

  /**
   * included_in_training → rewarded (a contribution is rewarded for the improvement a training run made with
   * it): in the caller's transaction, with `contribution.rewarded` for each. Refuses like markIncludedInTraining.
   */
  markRewarded(
    manager: EntityManager,
    contributionIds: string[],
    reward: RewardRef = {},
  ): Promise<ContributionEntity[]> {
    return advance(manager, this.publisher, contributionIds, 'included_in_training', 'rewarded', {
      txHash: reward.txHash ?? null,
      rewardId: reward.rewardId ?? null,
    });
  }

  /** The contribution when the caller may see it (its owner, the model's owner, an admin), else 404. */
  async get(principal: Principal, id: string): Promise<ContributionEntity> {
    const c = await this.dataSource.getRepository(ContributionEntity).findOneBy({ id });
    if (!c || !(principal.isAdmin || c.owner === principal.owner || c.modelOwner === principal.owner)) {
      throw new ContributionError('CONTRIBUTION_NOT_FOUND', `No contribution ${id}.`);
    }
    return c;
  }

  async listForModel(principal: Principal, name: string, query: PageQueryDto): Promise<Page<ContributionEntity>> {
    const model = await this.registry.getModel(name, principal);
    return this.list(principal, query, 'c.modelId = :modelId', { modelId: model.id });
  }

  async listForWallet(
    principal: Principal,
    walletAddress: string,
    query: PageQueryDto,
  ): Promise<Page<ContributionEntity>> {
    const wallet = normaliseWallet(walletAddress);
    if (!wallet) {
      const message =
        'walletAddress must be a 0x address of 40 hex digits, with a valid EIP-55 checksum when mixed case';
      throw new ContributionError('INVALID_WALLET', message, {
        errors: [{ field: 'walletAddress', code: 'INVALID_WALLET', message }],
      });
    }
    return this.list(principal, query, 'c.walletAddress = :wallet', { wallet });
  }

  private list(
    principal: Principal,
    query: PageQueryDto,
    where: string,
    params: Record<string, unknown>,
  ): Promise<Page<ContributionEntity>> {
    const qb = this.dataSource.getRepository(ContributionEntity).createQueryBuilder('c').where(where, params);
    if (!principal.isAdmin) qb.andWhere('(c.owner = :me OR c.modelOwner = :me)', { me: principal.owner });
    return paginate(qb, 'c', query);
  }

  /**
   * The model's credited rows for training, oldest first, `limit` at a time: pass the last row's `id` as `after`
   * for the next page.
   */
  async acceptedRows(modelName: string, options: { after?: string; limit?: number } = {}): Promise<AcceptedRow[]> {
    const model = await this.registry.getModel(modelName);
    const qb = this.dataSource
      .getRepository(ContributionRowEntity)
      .createQueryBuilder('r')
      // Erased rows keep their credit (and hash) but are never offered for training again.
      .where('r.modelId = :modelId AND r.credited AND r.data IS NOT NULL', { modelId: model.id });
    if (options.after) qb.andWhere('r.id > :after', { after: options.after });
    const rows = await qb
      .orderBy('r.id', 'ASC')
      .take(options.limit ?? 1000)
      .getMany();
    return rows.map((r) => ({ id: r.id, contributionId: r.contributionId, data: r.data! }));
  }
}
