import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrivacyService } from 'src/modules/privacy';
import { RegistryService } from 'src/modules/registry';
import { AuditService } from 'src/platform/audit';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { In } from 'typeorm';
import { Page, PageQueryDto } from 'src/platform/http';
import { QueueService } from 'src/platform/queue';
import { ContributionEntity } from './contribution.entity';
import { ContributionIntake } from './contribution-intake';
import { advance } from './contribution-lifecycle';
import { ContributionProcessing } from './contribution-processing';
import { ContributionSettingsStore } from './contribution-settings';
import { UploadFormat } from './contribution-upload';
import { normaliseWallet } from './contribution.rules';
import { ContributionError } from './contributions.errors';
import { ContributionsRepository } from './contributions.repository';
import {
  AcceptedRow,
  ContributionSettings,
  ContributionSubmission,
  CreditedContribution,
  LineageCredit,
  RewardRef,
  TrainingRef,
  TrainingRow,
} from './contributions.types';
import { StoredUploads } from './stored-upload';

export {
  AcceptedRow,
  CHUNK_ROWS,
  ContributionSettings,
  ContributionSubmission,
  DEFAULT_MIN_QUALITY,
  LARGE_UPLOAD_QUEUE,
  CreditedContribution,
  LineageCredit,
  RewardRef,
  TrainingRef,
  TrainingRow,
} from './contributions.types';

/**
 * Data contributions: checks a batch against the model's feature schema, scans it for PII, hashes and dedupes its
 * rows, scores its quality and stores the accepted rows for training. Each state change and its webhook event
 * commit together. The module's one exported service, a façade over its parts: settings, intake, processing, the
 * stored uploads of the large-upload job and the repository of its SQL (plain classes made here, so the service
 * is built from the same dependencies wherever it is constructed).
 */
@Injectable()
export class ContributionsService implements OnModuleInit {
  private readonly repository: ContributionsRepository;
  private readonly settings: ContributionSettingsStore;
  private readonly intake: ContributionIntake;
  private readonly processing: ContributionProcessing;
  private readonly uploads: StoredUploads;

  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    privacy: PrivacyService,
    private readonly events: EventsService,
    config: AppConfig,
    queue: QueueService,
    private readonly audit: AuditService,
  ) {
    this.repository = new ContributionsRepository(txHost);
    this.settings = new ContributionSettingsStore(txHost, this.repository, registry, config, audit);
    this.intake = new ContributionIntake(txHost, this.repository, registry, this.settings, events, queue, audit);
    this.processing = new ContributionProcessing(txHost, this.repository, privacy, events, config, audit);
    this.uploads = new StoredUploads(this.repository, this.intake, this.processing);
  }

  /** The server refuses to start when a model pseudonymises PII and no secret is configured. */
  onModuleInit(): Promise<void> {
    return this.settings.assertSecretWhenNeeded();
  }

  getSettings(principal: Principal, name: string): Promise<ContributionSettings> {
    return this.settings.get(principal, name);
  }

  updateSettings(
    principal: Principal,
    name: string,
    patch: Partial<Omit<ContributionSettings, 'modelName'>>,
  ): Promise<ContributionSettings> {
    return this.settings.update(principal, name, patch);
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
    const done = await this.intake.byIdempotencyKey(principal, idempotencyKey);
    if (done) return done;
    const { contribution, ctx, source } = await this.intake.receiveBatch(principal, name, input, idempotencyKey);
    return this.processing.process(contribution, ctx, source);
  }

  /**
   * A multipart upload of more than 10,000 rows: recorded as received with its file, in the same transaction as
   * the durable job that processes it (answered 202; the job has the contribution's id).
   */
  async submitLarge(
    principal: Principal,
    name: string,
    input: Omit<ContributionSubmission, 'rows'>,
    file: { path: string; format: UploadFormat },
    idempotencyKey?: string,
  ): Promise<ContributionEntity> {
    const done = await this.intake.byIdempotencyKey(principal, idempotencyKey);
    if (done) return done;
    return this.intake.receiveLarge(principal, name, input, file, idempotencyKey);
  }

  /** The large-upload job's work (LargeUploadProcessor); safe to rerun. */
  processUpload(contributionId: string): Promise<void> {
    return this.uploads.process(contributionId);
  }

  /**
   * accepted → included_in_training, for the training run that used the contributions' rows: in the caller's
   * transaction (or its own), with `contribution.included_in_training` for each. Refuses (CONTRIBUTION_NOT_FOUND,
   * ILLEGAL_TRANSITION) before changing anything when one is unknown or not accepted.
   */
  markIncludedInTraining(contributionIds: string[], training: TrainingRef): Promise<ContributionEntity[]> {
    return this.txHost.withTransaction(() =>
      advance(this.txHost.tx, this.events, this.audit, contributionIds, 'accepted', 'included_in_training', {
        modelName: training.modelName,
        version: training.version,
      }),
    );
  }

  /**
   * included_in_training → rewarded (a contribution is rewarded for the improvement a training run made with
   * it): in the caller's transaction (or its own), with `contribution.rewarded` for each. Refuses like markIncludedInTraining.
   */
  markRewarded(contributionIds: string[], reward: RewardRef = {}): Promise<ContributionEntity[]> {
    return this.txHost.withTransaction(() =>
      advance(this.txHost.tx, this.events, this.audit, contributionIds, 'included_in_training', 'rewarded', {
        txHash: reward.txHash ?? null,
        rewardId: reward.rewardId ?? null,
      }),
    );
  }

  /**
   * What the contributions in a model version's lineage are owed, per wallet: the credited (first, non-duplicate)
   * rows of those not rewarded yet (accepted or included in training), wallets in the order of their first
   * contribution. Rejected, unprocessed and other models' contributions count for nothing.
   */
  async lineageCredits(modelId: string, contributionIds: string[]): Promise<LineageCredit[]> {
    if (contributionIds.length === 0) return [];
    const rows = await this.txHost.tx.query<
      Array<{ walletAddress: string; contributionIds: string[]; creditedRows: string }>
    >(
      `SELECT c."walletAddress", array_agg(c.id::text ORDER BY c."createdAt", c.id) AS "contributionIds",
              sum(r.credited)::bigint AS "creditedRows"
         FROM contributions c
         JOIN LATERAL (SELECT count(*) AS credited FROM contribution_rows cr
                        WHERE cr."contributionId" = c.id AND cr.credited) r ON true
        WHERE c.id::text = ANY($1::text[]) AND c."modelId" = $2
          AND c.status IN ('accepted', 'included_in_training') AND r.credited > 0
        GROUP BY c."walletAddress"
        ORDER BY min(c."createdAt"), min(c.id::text)`,
      [contributionIds, modelId],
    );
    return rows.map((r) => ({ ...r, creditedRows: Number(r.creditedRows) }));
  }

  /**
   * accepted | included_in_training → rewarded for the contributions of a confirmed reward, in the caller's
   * transaction, with `contribution.rewarded` for each; those rewarded meanwhile (by another reward) are left as
   * they are.
   */
  markLineageRewarded(contributionIds: string[], reward: RewardRef): Promise<ContributionEntity[]> {
    return this.txHost.withTransaction(async () => {
      const open = await this.txHost.tx.getRepository(ContributionEntity).find({
        where: { id: In(contributionIds), status: In(['accepted', 'included_in_training']) },
        select: { id: true },
      });
      if (open.length === 0) return [];
      return advance(
        this.txHost.tx,
        this.events,
        this.audit,
        open.map((c) => c.id),
        ['accepted', 'included_in_training'],
        'rewarded',
        {
          txHash: reward.txHash ?? null,
          rewardId: reward.rewardId ?? null,
        },
      );
    });
  }

  /** The contribution when the caller may see it (its owner, the model's owner, an admin), else 404. */
  async get(principal: Principal, id: string): Promise<ContributionEntity> {
    const c = await this.repository.findById(id);
    if (!c || !(principal.isAdmin || c.owner === principal.owner || c.modelOwner === principal.owner)) {
      throw new ContributionError('CONTRIBUTION_NOT_FOUND', `No contribution ${id}.`);
    }
    return c;
  }

  async listForModel(principal: Principal, name: string, query: PageQueryDto): Promise<Page<ContributionEntity>> {
    const model = await this.registry.getModel(name, principal);
    return this.repository.list(principal, query, 'c.modelId = :modelId', { modelId: model.id });
  }

  listForWallet(principal: Principal, walletAddress: string, query: PageQueryDto): Promise<Page<ContributionEntity>> {
    const wallet = normaliseWallet(walletAddress);
    if (!wallet) {
      const message =
        'walletAddress must be a 0x address of 40 hex digits, with a valid EIP-55 checksum when mixed case';
      throw new ContributionError('INVALID_WALLET', message, {
        errors: [{ field: 'walletAddress', code: 'INVALID_WALLET', message }],
      });
    }
    return this.repository.list(principal, query, 'c.walletAddress = :wallet', { wallet });
  }

  /**
   * The model's credited rows for training, oldest first, `limit` at a time: pass the last row's `id` as `after`
   * for the next page.
   */
  async acceptedRows(modelName: string, options: { after?: string; limit?: number } = {}): Promise<AcceptedRow[]> {
    const model = await this.registry.getModel(modelName);
    return this.repository.acceptedRows(model.id, options);
  }

  /**
   * The model's contributions in `status` (default `accepted`: not yet used for training), or those among
   * `contributionIds`, with their credited row counts, oldest first.
   */
  creditedContributions(
    modelId: string,
    options: { status?: 'accepted' | 'included_in_training'; contributionIds?: string[] } = {},
  ): Promise<CreditedContribution[]> {
    return this.repository.creditedCounts({
      modelId,
      status: options.status ?? 'accepted',
      contributionIds: options.contributionIds,
    });
  }

  /** The credited rows of `contributionIds` with their row hashes, by row id: pass the last `id` as `after`. */
  trainingRows(contributionIds: string[], options: { after?: string; limit?: number } = {}): Promise<TrainingRow[]> {
    return this.repository.creditedRowsOf(contributionIds, options);
  }

  /** Up to `limit` distinct values of `column` among the credited rows of `contributionIds` (a label's classes). */
  async distinctValues(contributionIds: string[], column: string, limit: number): Promise<unknown[]> {
    if (contributionIds.length === 0) return [];
    const found: { v: unknown }[] = await this.txHost.tx.query(
      `SELECT DISTINCT data -> $2 AS v FROM contribution_rows
        WHERE "contributionId" = ANY($1::uuid[]) AND credited AND data IS NOT NULL LIMIT $3`,
      [contributionIds, column, limit],
    );
    return found.map((r) => r.v);
  }
}
