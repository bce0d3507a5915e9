import { RegistryError, RegistryService } from 'src/modules/registry';
import { AuditService, changesOf } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { QueueService } from 'src/platform/queue';
import { ContributionEntity } from './contribution.entity';
import { UploadFormat } from './contribution-upload';
import {
  checkSignature,
  datasetHashOfRows,
  expectedColumns,
  normaliseWallet,
  signatureMessage,
  typeTextRow,
} from './contribution.rules';
import { ContributionError } from './contributions.errors';
import { ContributionsRepository } from './contributions.repository';
import { ContributionSettingsStore } from './contribution-settings';
import { ContributionSubmission, LARGE_UPLOAD_QUEUE, RowSource, SubmitContext } from './contributions.types';

/**
 * A contribution's arrival: the checks made before anything is stored (wallet, feature schema, signature), then
 * the contribution recorded as received with `contribution.received` (and, for a large upload, its file and its
 * durable job) in one transaction.
 */
export class ContributionIntake {
  constructor(
    private readonly txHost: TxHost,
    private readonly repository: ContributionsRepository,
    private readonly registry: RegistryService,
    private readonly settings: ContributionSettingsStore,
    private readonly events: EventsService,
    private readonly queue: QueueService,
    private readonly audit: AuditService,
  ) {}

  /** A retry after a crash between the commit and the answer: the contribution exists, answer with it. */
  byIdempotencyKey(principal: Principal, key?: string): Promise<ContributionEntity | null> {
    return key ? this.repository.findByIdempotencyKey(principal.owner, key) : Promise.resolve(null);
  }

  /** A batch sent in the request, recorded as received: the rows to process with it. */
  async receiveBatch(
    principal: Principal,
    name: string,
    input: ContributionSubmission,
    idempotencyKey?: string,
  ): Promise<{ contribution: ContributionEntity; ctx: SubmitContext; source: RowSource }> {
    const ctx = await this.prepare(name, input.contributor.walletAddress, principal);
    const textCells = input.textCells ?? false;
    const rows = textCells ? input.rows.map((r) => typeTextRow(r, ctx.columns)) : input.rows;
    const signatureVerified = this.checkContributor(
      ctx.model.name,
      ctx.wallet,
      { ...input, rows },
      ctx.settings.requireSignature,
    );
    const contribution = await this.txHost.withTransaction(async () => {
      const c = await this.receive(principal, ctx, input, signatureVerified, rows.length, idempotencyKey);
      await this.recordReceived(c);
      return c;
    });
    return { contribution, ctx, source: { chunks: [rows], textCells } };
  }

  /**
   * A multipart upload of more than 10,000 rows: recorded as received with its file (copied from `file.path` a
   * piece at a time), in the same transaction as the durable job that processes it; the job has the
   * contribution's id. The signature, when given, is checked by the job against the time of receipt.
   */
  async receiveLarge(
    principal: Principal,
    name: string,
    input: Omit<ContributionSubmission, 'rows'>,
    file: { path: string; format: UploadFormat },
    idempotencyKey?: string,
  ): Promise<ContributionEntity> {
    const ctx = await this.prepare(name, input.contributor.walletAddress, principal);
    const { signature, signedAt } = input.contributor;
    if (ctx.settings.requireSignature && (!signature || !signedAt))
      this.checkContributor(ctx.model.name, ctx.wallet, { ...input, rows: [] }, true);
    return this.txHost.withTransaction(async () => {
      const c = await this.receive(principal, ctx, input, false, 0, idempotencyKey);
      await this.repository.storeUpload(c.id, file, { signature, signedAt });
      await this.queue.enqueue(LARGE_UPLOAD_QUEUE, { contributionId: c.id }, { id: c.id });
      await this.recordReceived(c);
      return c;
    });
  }

  /** The model's feature schema and settings for a contribution from `walletAddress`; throws when it takes none. */
  async prepare(name: string, walletAddress: string, principal?: Principal): Promise<SubmitContext> {
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
    const settings = await this.settings.of(model.id, model.name);
    return { model, wallet, settings, columns: expectedColumns(features, labelColumn, model.labelKind) };
  }

  /** The audit record of a new contribution: counts and states, never rows or wallet. */
  private recordReceived(c: ContributionEntity): Promise<void> {
    return this.audit.record({
      action: 'contribution.create',
      target: { type: 'contribution', id: c.id, owner: c.owner },
      changes: changesOf(null, { ...c, model: c.modelName }, ['model', 'status', 'receivedRows']),
    });
  }

  /** Records the contribution as received, with `contribution.received`, in the caller's transaction. */
  private async receive(
    principal: Principal,
    ctx: SubmitContext,
    input: Omit<ContributionSubmission, 'rows'>,
    signatureVerified: boolean,
    receivedRows: number,
    idempotencyKey?: string,
  ): Promise<ContributionEntity> {
    const { model, wallet } = ctx;
    const c = await this.repository.insert({
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
    });
    await this.events.publish(
      'contribution.received',
      { contributionId: c.id, model: model.name, rows: receivedRows, walletAddress: wallet },
      { modelName: model.name, owner: principal.owner },
    );
    return c;
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
}
