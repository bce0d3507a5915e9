import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PrivacyService } from 'src/modules/privacy';
import { RegisteredModel, RegistryError, RegistryService } from 'src/modules/registry';
import { Readable } from 'node:stream';
import { QueueService } from 'src/platform/queue';
import { WebhookPublisher } from 'src/modules/webhooks';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { ContributionRowEntity } from './contribution-row.entity';
import { ContributionSettingsEntity } from './contribution-settings.entity';
import { ContributionEntity } from './contribution.entity';
import { ContributionUploadEntity } from './contribution-upload.entity';
import { parseRows, UploadFormat } from './contribution-upload';
import {
  checkSignature,
  ColumnSpec,
  datasetHashOfRows,
  expectedColumns,
  normaliseWallet,
  Row,
  signatureMessage,
} from './contribution.rules';
import { ContributionError } from './contributions.errors';
import { PiiPolicy } from './pii-policy';
import { processBatch } from './contribution-pipeline';

export interface ContributionSubmission {
  rows: Row[];
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

interface SubmitContext {
  model: RegisteredModel;
  wallet: string;
  settings: ContributionSettings;
  columns: ColumnSpec[];
}

export const DEFAULT_MIN_QUALITY = 0.8;
export const LARGE_UPLOAD_QUEUE = 'contributions.large-upload';
const MAX_LISTED_ROW_ERRORS = 1000;

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
    if (!principal.isAdmin && model.owner !== principal.owner) {
      throw new RegistryError('NOT_MODEL_OWNER', `Only the owner of model ${name} or an admin may change it.`);
    }
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
    if (idempotencyKey) {
      // A retry after a crash between the commit and the answer: the contribution exists, answer with it.
      const done = await this.dataSource
        .getRepository(ContributionEntity)
        .findOneBy({ owner: principal.owner, idempotencyKey });
      if (done) return done;
    }
    const ctx = await this.prepare(name, input.contributor.walletAddress, principal);
    const signatureVerified = this.checkContributor(ctx.model.name, ctx.wallet, input, ctx.settings.requireSignature);
    const contribution = await this.dataSource.transaction((manager) =>
      this.receive(manager, principal, ctx, input, signatureVerified, input.rows.length, idempotencyKey),
    );
    return this.process(contribution, ctx, input.rows);
  }

  /**
   * A multipart upload of more than 10,000 rows: recorded as received with its file, in the same transaction as
   * the durable job that processes it (answered 202). The signature, when given, is checked by the job against
   * the time of receipt.
   */
  async submitLarge(
    principal: Principal,
    name: string,
    input: Omit<ContributionSubmission, 'rows'>,
    file: { bytes: Buffer; format: UploadFormat },
  ): Promise<ContributionEntity> {
    const ctx = await this.prepare(name, input.contributor.walletAddress, principal);
    const { signature, signedAt } = input.contributor;
    if (ctx.settings.requireSignature && (!signature || !signedAt))
      this.checkContributor(ctx.model.name, ctx.wallet, { ...input, rows: [] }, true);
    return this.dataSource.transaction(async (manager) => {
      const c = await this.receive(manager, principal, ctx, input, false, 0);
      await manager.getRepository(ContributionUploadEntity).insert({
        contributionId: c.id,
        format: file.format,
        data: file.bytes,
        signature: signature ?? null,
        signedAt: signedAt ?? null,
      });
      await this.queue.enqueue(LARGE_UPLOAD_QUEUE, { contributionId: c.id }, { manager, id: c.id });
      return c;
    });
  }

  /** The durable job's work: parse the stored file, process it like a JSON batch, drop the file. Safe to rerun. */
  async processUpload(contributionId: string): Promise<void> {
    const uploads = this.dataSource.getRepository(ContributionUploadEntity);
    const c = await this.dataSource.getRepository(ContributionEntity).findOneBy({ id: contributionId });
    const upload = await uploads.findOneBy({ contributionId });
    if (!c || !upload || (c.status !== 'received' && c.status !== 'validating')) {
      await uploads.delete({ contributionId });
      return;
    }
    const ctx = await this.prepare(c.modelName, c.walletAddress);
    try {
      let rows: Row[];
      try {
        rows = await parseRows(Readable.from([upload.data]), upload.format, Number.MAX_SAFE_INTEGER);
      } catch (err) {
        if (!(err instanceof ContributionError)) throw err;
        await this.finish(c, err.code, err.detail);
        return;
      }
      c.receivedRows = rows.length;
      await this.dataSource.getRepository(ContributionEntity).update(c.id, { receivedRows: rows.length });
      if (upload.signature && upload.signedAt) {
        const message = signatureMessage(c.modelName, datasetHashOfRows(rows), upload.signedAt);
        const problem = checkSignature(
          c.walletAddress,
          upload.signature,
          message,
          upload.signedAt,
          c.receivedAt.getTime(),
        );
        if (problem) {
          await this.finish(
            c,
            problem,
            'The signature does not prove the wallet signed this dataset within 10 minutes.',
          );
          return;
        }
        c.signatureVerified = true;
        await this.dataSource.getRepository(ContributionEntity).update(c.id, { signatureVerified: true });
      }
      await this.process(c, ctx, rows).catch((err: unknown) => {
        if (!(err instanceof ContributionError)) throw err;
      });
    } finally {
      await uploads.delete({ contributionId });
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
    const model = await this.registry.getModel(name, principal);
    const version = await this.registry.resolve(name, { principal }).catch((err: unknown) => {
      if (err instanceof RegistryError && err.code === 'ALIAS_NOT_FOUND') return null;
      throw err;
    });
    if (!version?.features || !model.labelColumn) {
      throw new ContributionError(
        'NO_FEATURE_SCHEMA',
        `Model ${name} takes no contributions: it needs a production version with features and a label column.`,
      );
    }
    const settings = await this.settingsOf(this.dataSource.manager, model.id, model.name);
    return { model, wallet, settings, columns: expectedColumns(version.features, model.labelColumn, model.labelKind) };
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

  /** validating → accepted | rejected for rows in memory. */
  private async process(
    contribution: ContributionEntity,
    ctx: SubmitContext,
    inputRows: Row[],
  ): Promise<ContributionEntity> {
    const { settings, columns } = ctx;
    const input = { rows: inputRows };
    contribution.status = 'validating';
    contribution.validatingAt = new Date();
    await this.dataSource
      .getRepository(ContributionEntity)
      .update(contribution.id, { status: 'validating', validatingAt: contribution.validatingAt });

    const batch = processBatch(
      input.rows,
      columns,
      (rows) => this.privacy.scanRows(rows),
      settings.piiPolicy,
      this.config.CONTRIBUTION_PSEUDONYM_SECRET,
    );
    contribution.rejectedRows = input.rows.length - batch.valid.length;
    contribution.rowErrors = batch.problems.slice(0, MAX_LISTED_ROW_ERRORS);
    if (batch.valid.length === 0) {
      await this.finish(contribution, 'NO_ACCEPTABLE_ROWS', 'No row matches the model feature schema.');
      throw new ContributionError('NO_ACCEPTABLE_ROWS', 'No row matches the model feature schema.', {
        contributionId: contribution.id,
        rowErrors: contribution.rowErrors,
      });
    }
    contribution.piiSummary = batch.piiSummary;
    if (batch.findings.length > 0 && settings.piiPolicy === 'reject') {
      const detail = `The rows hold personal data (${Object.keys(batch.piiSummary?.byType ?? {}).join(', ')}); the model's policy is to refuse it.`;
      await this.finish(contribution, 'PII_DETECTED', detail);
      throw new ContributionError('PII_DETECTED', detail, {
        contributionId: contribution.id,
        findings: batch.findings.map((f) => ({
          row: f.row,
          column: f.column,
          type: f.type,
          start: f.start,
          end: f.end,
        })),
      });
    }
    const { valid, rows, hashes } = batch;
    contribution.qualityReport = batch.quality;
    contribution.datasetHash = batch.datasetHash;
    if (batch.quality!.score < settings.minQuality) {
      await this.finish(
        contribution,
        'LOW_QUALITY',
        `Quality score ${batch.quality!.score} is below the model's minimum ${settings.minQuality}.`,
      );
      return contribution;
    }
    await this.finish(contribution, null, null, async (manager) => {
      const credited = await this.storeRows(manager, contribution, valid, rows, hashes);
      contribution.acceptedRows = credited;
      contribution.duplicateRows = valid.length - credited;
    });
    return contribution;
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

  /** Stores the rows: first occurrences are credited unless the model already has them (ON CONFLICT DO NOTHING). */
  private async storeRows(
    manager: EntityManager,
    c: ContributionEntity,
    indexes: number[],
    rows: Row[],
    hashes: string[],
  ): Promise<number> {
    const seen = new Set<string>();
    const first: number[] = [];
    hashes.forEach((h, i) => {
      if (!seen.has(h)) {
        seen.add(h);
        first.push(i);
      }
    });
    const inserted: { rowIndex: number }[] = await manager.query(
      `INSERT INTO contribution_rows ("contributionId", "modelId", "rowIndex", "rowHash", "data", "credited", "duplicate")
       SELECT $1, $2, u.idx, u.hash, u.data, true, false FROM unnest($3::int[], $4::text[], $5::jsonb[]) AS u(idx, hash, data)
       ON CONFLICT ("modelId", "rowHash") WHERE "credited" DO NOTHING RETURNING "rowIndex"`,
      [
        c.id,
        c.modelId,
        first.map((i) => indexes[i]),
        first.map((i) => hashes[i]),
        first.map((i) => JSON.stringify(rows[i])),
      ],
    );
    const credited = new Set(inserted.map((r) => r.rowIndex));
    const rest = rows.map((_, i) => i).filter((i) => !credited.has(indexes[i]));
    if (rest.length > 0) {
      await manager.query(
        `INSERT INTO contribution_rows ("contributionId", "modelId", "rowIndex", "rowHash", "data", "credited", "duplicate")
         SELECT $1, $2, u.idx, u.hash, u.data, false, true FROM unnest($3::int[], $4::text[], $5::jsonb[]) AS u(idx, hash, data)`,
        [
          c.id,
          c.modelId,
          rest.map((i) => indexes[i]),
          rest.map((i) => hashes[i]),
          rest.map((i) => JSON.stringify(rows[i])),
        ],
      );
    }
    return credited.size;
  }

  /** The last state change (accepted, or rejected with a code), with `contribution.processed`, in one transaction. */
  private async finish(
    c: ContributionEntity,
    rejectionCode: string | null,
    rejectionReason: string | null,
    store?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
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
        await store!(manager);
        c.status = 'accepted';
        c.acceptedAt = at;
      }
      await manager.getRepository(ContributionEntity).update(c.id, {
        status: c.status,
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
      .where('r.modelId = :modelId AND r.credited', { modelId: model.id });
    if (options.after) qb.andWhere('r.id > :after', { after: options.after });
    const rows = await qb
      .orderBy('r.id', 'ASC')
      .take(options.limit ?? 1000)
      .getMany();
    return rows.map((r) => ({ id: r.id, contributionId: r.contributionId, data: r.data }));
  }
}
