import { createReadStream } from 'node:fs';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Principal } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { ContributionRowEntity } from './contribution-row.entity';
import { ContributionSettingsEntity } from './contribution-settings.entity';
import { ContributionEntity } from './contribution.entity';
import { ContributionUploadEntity } from './contribution-upload.entity';
import { ContributionUploadPartEntity } from './contribution-upload-part.entity';
import { UploadFormat } from './contribution-upload';
import { AcceptedRow, CreditedContribution, TrainingRow } from './contributions.types';

/** A stored upload is written and read in pieces of this size. */
const UPLOAD_PART_BYTES = 1024 * 1024;

/** The slice of node-postgres's client that uploadBytes uses. */
interface PgClient {
  query(config: { text: string; values: unknown[]; binary: boolean }): Promise<{ rows: { data: Buffer }[] }>;
}

/**
 * The SQL of contributions, their settings and their stored uploads (the rows' SQL is in contribution-store).
 * Every method runs in the caller's transaction when there is one (`txHost.tx`).
 */
export class ContributionsRepository {
  constructor(private readonly txHost: TxHost) {}

  findById(id: string): Promise<ContributionEntity | null> {
    return this.txHost.tx.getRepository(ContributionEntity).findOneBy({ id });
  }

  findByIdempotencyKey(owner: string, idempotencyKey: string): Promise<ContributionEntity | null> {
    return this.txHost.tx.getRepository(ContributionEntity).findOneBy({ owner, idempotencyKey });
  }

  insert(fields: Partial<ContributionEntity>): Promise<ContributionEntity> {
    const repo = this.txHost.tx.getRepository(ContributionEntity);
    return repo.save(repo.create(fields));
  }

  async markValidating(id: string, at: Date): Promise<void> {
    await this.txHost.tx.getRepository(ContributionEntity).update(id, { status: 'validating', validatingAt: at });
  }

  /** Writes the outcome of processing (state, counts, reports) of `c`. */
  async saveOutcome(c: ContributionEntity): Promise<void> {
    await this.txHost.tx.getRepository(ContributionEntity).update(c.id, {
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
  }

  /** A page of contributions matching `where`, only those the principal may see unless an admin. */
  list(
    principal: Principal,
    query: PageQueryDto,
    where: string,
    params: Record<string, unknown>,
  ): Promise<Page<ContributionEntity>> {
    const qb = this.txHost.tx.getRepository(ContributionEntity).createQueryBuilder('c').where(where, params);
    if (!principal.isAdmin) qb.andWhere('(c.owner = :me OR c.modelOwner = :me)', { me: principal.owner });
    return paginate(qb, 'c', query);
  }

  async acceptedRows(modelId: string, options: { after?: string; limit?: number }): Promise<AcceptedRow[]> {
    const qb = this.txHost.tx
      .getRepository(ContributionRowEntity)
      .createQueryBuilder('r')
      // Erased rows keep their credit (and hash) but are never offered for training again.
      .where('r.modelId = :modelId AND r.credited AND r.data IS NOT NULL', { modelId });
    if (options.after) qb.andWhere('r.id > :after', { after: options.after });
    const rows = await qb
      .orderBy('r.id', 'ASC')
      .take(options.limit ?? 1000)
      .getMany();
    return rows.map((r) => ({ id: r.id, contributionId: r.contributionId, data: r.data! }));
  }

  /** Credited rows (with their contents) of the given contributions, by row id, `limit` at a time after `after`. */
  async creditedRowsOf(contributionIds: string[], options: { after?: string; limit?: number }): Promise<TrainingRow[]> {
    const found: { id: string; contributionId: string; rowHash: string; data: Record<string, unknown> }[] =
      await this.txHost.tx.query(
        `SELECT id::text AS id, "contributionId", "rowHash", data FROM contribution_rows
          WHERE "contributionId" = ANY($1::uuid[]) AND credited AND data IS NOT NULL AND id > $2::bigint
          ORDER BY id LIMIT $3`,
        [contributionIds, options.after ?? '0', options.limit ?? 1000],
      );
    return found.map((r) => ({ id: r.id, contributionId: r.contributionId, hash: r.rowHash.trim(), data: r.data }));
  }

  /** Credited rows (contents not erased) per contribution, for those among `contributionIds` in `status`. */
  async creditedCounts(where: {
    modelId: string;
    status: string;
    contributionIds?: string[];
  }): Promise<CreditedContribution[]> {
    const found: { id: string; walletAddress: string; rows: number }[] = await this.txHost.tx.query(
      `SELECT c.id, c."walletAddress", count(r.id)::int AS rows
         FROM contributions c
         LEFT JOIN contribution_rows r ON r."contributionId" = c.id AND r.credited AND r.data IS NOT NULL
        WHERE c."modelId" = $1 AND c.status = $2 AND ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))
        GROUP BY c.id, c."walletAddress", c."createdAt"
        ORDER BY c."createdAt", c.id`,
      [where.modelId, where.status, where.contributionIds ?? null],
    );
    return found.map((r) => ({ id: r.id, walletAddress: r.walletAddress, creditedRows: r.rows }));
  }

  findSettings(modelId: string): Promise<ContributionSettingsEntity | null> {
    return this.txHost.tx.getRepository(ContributionSettingsEntity).findOneBy({ modelId });
  }

  async saveSettings(settings: Omit<ContributionSettingsEntity, 'updatedAt'>): Promise<void> {
    await this.txHost.tx.getRepository(ContributionSettingsEntity).save(settings);
  }

  async pseudonymizingModels(): Promise<string[]> {
    const found = await this.txHost.tx.getRepository(ContributionSettingsEntity).findBy({ piiPolicy: 'pseudonymize' });
    return found.map((s) => s.modelName);
  }

  /** Stores the file at `path` with the contribution, a piece at a time, in the caller's transaction. */
  async storeUpload(
    contributionId: string,
    file: { path: string; format: UploadFormat },
    signature: { signature?: string; signedAt?: string },
  ): Promise<void> {
    const manager = this.txHost.tx;
    await manager.getRepository(ContributionUploadEntity).insert({
      contributionId,
      format: file.format,
      signature: signature.signature ?? null,
      signedAt: signature.signedAt ?? null,
    });
    let seq = 0;
    const parts = manager.getRepository(ContributionUploadPartEntity);
    for await (const data of createReadStream(file.path, { highWaterMark: UPLOAD_PART_BYTES })) {
      await parts.insert({ contributionId, seq: seq++, data: data as Buffer });
    }
  }

  findUpload(contributionId: string): Promise<ContributionUploadEntity | null> {
    return this.txHost.tx.getRepository(ContributionUploadEntity).findOneBy({ contributionId });
  }

  dropUpload(contributionId: string): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      await manager.getRepository(ContributionUploadPartEntity).delete({ contributionId });
      await manager.getRepository(ContributionUploadEntity).delete({ contributionId });
    });
  }

  /**
   * A stored upload's bytes, one part at a time, read in PostgreSQL's binary format: as text, a bytea comes back
   * as a hex string twice its size, and 1 MB parts make 2 MB strings that only a full collection frees.
   */
  async *uploadBytes(contributionId: string): AsyncGenerator<Buffer> {
    const driver = this.txHost.tx.connection.driver as PostgresDriver;
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
}
