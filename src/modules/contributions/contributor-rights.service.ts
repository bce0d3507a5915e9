import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RegistryService } from 'src/modules/registry';
import { AuditService } from 'src/platform/audit';
import { ApiKeysService } from 'src/platform/auth';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { ContributionEntity } from './contribution.entity';
import { ContributionError } from './contributions.errors';
import { toContributionDto } from './contributions.mapper';
import { ContributorAction, verifyContributorProof, walletOrThrow } from './contributor-proof';
import { ErasureSummaryDto } from './contributor-rights.dto';

/** Rows read per query while an export streams: memory holds one page, whatever the wallet gave. */
const EXPORT_PAGE_ROWS = 1000;

export const EXPORT_NOTES = [
  'Every contribution of this wallet, with its status, counts, hashes, lifecycle times and stored rows.',
  'Training runs and rewards are not recorded by this server yet: includedInTrainingAt and rewardedAt are the ' +
    'status markers that exist, and trainedVersions lists the registry versions whose lineage names the contribution.',
  'Rows of a large upload still being processed are not listed until it is processed; erased rows show data: null.',
];

/** How a request to export or erase a wallet's data proved it may. */
export type ContributorAuthority = { by: 'signature' } | { by: 'admin'; keyId: string };

/**
 * A contributor's rights over its data: a wallet, proving itself with a signature (or an admin acting for it),
 * can take all of it away in one document (export) and have the rows' contents deleted for good (erasure).
 */
@Injectable()
export class ContributorRightsService {
  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly events: EventsService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Deny by default: a signature, when any part of one is sent, must be the wallet's and fresh, whatever key comes
   * with it; without one, the request needs an admin API key. Anything else is refused before anything is read.
   */
  async authorise(
    action: ContributorAction,
    address: string,
    proof: { timestamp?: string; signature?: string },
    apiKey: string | undefined,
  ): Promise<{ wallet: string; authority: ContributorAuthority }> {
    const wallet = walletOrThrow(address);
    const { timestamp, signature } = proof;
    if (timestamp !== undefined || signature !== undefined) {
      if (timestamp === undefined || signature === undefined) {
        const field = timestamp === undefined ? 'timestamp' : 'signature';
        throw new ContributionError('SIGNATURE_REQUIRED', 'A signed request needs both timestamp and signature.', {
          errors: [{ field, code: 'SIGNATURE_REQUIRED', message: `${field} is required with a signature` }],
        });
      }
      verifyContributorProof(action, wallet, { timestamp, signature });
      return { wallet, authority: { by: 'signature' } };
    }
    if (!apiKey) {
      throw new ContributionError(
        'CONTRIBUTOR_PROOF_REQUIRED',
        `Send {timestamp, signature} signed by ${wallet}, or an admin API key.`,
      );
    }
    const principal = await this.apiKeys.authenticate(apiKey);
    if (!principal) throw new ContributionError('API_KEY_INVALID', 'The API key is unknown, revoked or expired.');
    if (!principal.isAdmin) {
      throw new ContributionError(
        'ADMIN_KEY_REQUIRED',
        'Only an admin key may act for a contributor; a contributor signs the request with its wallet.',
      );
    }
    return { wallet, authority: { by: 'admin', keyId: principal.keyId } };
  }

  /** The export document, as JSON text in pieces: contributions first read whole, rows a page at a time. */
  async *exportJson(wallet: string): AsyncGenerator<string> {
    const contributions = await this.txHost.tx
      .getRepository(ContributionEntity)
      .find({ where: { walletAddress: wallet }, order: { createdAt: 'ASC', id: 'ASC' } });
    const versions = await this.registry.versionsTrainedOn(contributions.map((c) => c.id));
    const head = { walletAddress: wallet, generatedAt: new Date().toISOString(), notes: EXPORT_NOTES };
    yield `${JSON.stringify(head).slice(0, -1)},"contributions":[`;
    for (const [i, c] of contributions.entries()) {
      const entry = {
        ...toContributionDto(c),
        includedInTrainingAt: c.includedInTrainingAt?.toISOString() ?? null,
        rewardedAt: c.rewardedAt?.toISOString() ?? null,
        trainedVersions: versions
          .filter((v) => v.contributionIds.includes(c.id))
          .map((v) => ({ modelName: v.modelName, version: v.version })),
      };
      yield `${i > 0 ? ',' : ''}${JSON.stringify(entry).slice(0, -1)},"rows":[`;
      let first = true;
      for await (const page of this.rowPages(c.id)) {
        yield (first ? '' : ',') + page.map((r) => JSON.stringify(r)).join(',');
        first = false;
      }
      yield ']}';
    }
    yield ']}';
  }

  private async *rowPages(contributionId: string): AsyncGenerator<object[]> {
    for (let after = -1; ;) {
      const page: { rowIndex: number }[] = await this.txHost.tx.query(
        `SELECT "rowIndex", "rowHash", credited, duplicate, data FROM contribution_rows
          WHERE "contributionId" = $1 AND "rowIndex" > $2 ORDER BY "rowIndex" LIMIT $3`,
        [contributionId, after, EXPORT_PAGE_ROWS],
      );
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].rowIndex;
    }
  }

  /**
   * Deletes the contents of every row the wallet gave, and any stored upload not yet processed, in one transaction
   * with `contributor.erased` (one per model concerned). Hashes, counts, status, lifecycle and lineage stay. A
   * contribution not yet processed becomes rejected (ERASED). Repeating it changes nothing and publishes nothing;
   * it answers the same summary.
   */
  erase(wallet: string, authority: ContributorAuthority): Promise<ErasureSummaryDto> {
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      // Locking the contributions serialises with the processing of any of them (see erasedUnderLock).
      const contributions = await manager.getRepository(ContributionEntity).find({
        where: { walletAddress: wallet },
        order: { id: 'ASC' },
        lock: { mode: 'pessimistic_write' },
      });
      const fresh = contributions.filter((c) => !c.erasedAt);
      if (fresh.length > 0) await this.eraseContents(manager, wallet, fresh, authority);
      return this.summary(manager, wallet, contributions);
    });
  }

  private async eraseContents(
    manager: EntityManager,
    wallet: string,
    fresh: ContributionEntity[],
    authority: ContributorAuthority,
  ): Promise<void> {
    const ids = fresh.map((c) => c.id);
    const at = new Date();
    const erased: { id: string; n: number }[] = await manager.query(
      `WITH u AS (
         UPDATE contribution_rows SET data = NULL WHERE "contributionId" = ANY($1) AND data IS NOT NULL
         RETURNING "contributionId"
       )
       SELECT "contributionId" AS id, count(*)::int AS n FROM u GROUP BY "contributionId"`,
      [ids],
    );
    const erasedRows = new Map(erased.map((e) => [e.id, e.n]));
    await manager.query(`DELETE FROM contribution_upload_parts WHERE "contributionId" = ANY($1)`, [ids]);
    await manager.query(`DELETE FROM contribution_uploads WHERE "contributionId" = ANY($1)`, [ids]);
    await manager.query(
      `UPDATE contributions SET "erasedAt" = $2, metadata = '{}', "updatedAt" = now() WHERE id = ANY($1)`,
      [ids, at],
    );
    await manager.query(
      `UPDATE contributions SET status = 'rejected', "rejectedAt" = $2, "rejectionCode" = 'ERASED',
              "rejectionReason" = 'The contributor erased its data before it was processed.'
        WHERE id = ANY($1) AND status IN ('received', 'validating')`,
      [ids, at],
    );
    for (const c of fresh) {
      c.erasedAt = at;
      if (c.status === 'received' || c.status === 'validating') c.status = 'rejected';
    }
    const byModel = new Map<string, ContributionEntity[]>();
    for (const c of fresh) byModel.set(c.modelName, [...(byModel.get(c.modelName) ?? []), c]);
    for (const [model, list] of byModel) {
      await this.events.publish(
        'contributor.erased',
        {
          walletAddress: wallet,
          model,
          contributionIds: list.map((c) => c.id),
          datasetHashes: list.map((c) => c.datasetHash),
          rowsErased: list.reduce((sum, c) => sum + (erasedRows.get(c.id) ?? 0), 0),
          by: authority.by,
          erasedAt: at.toISOString(),
        },
        { modelName: model, owner: list[0].modelOwner },
      );
    }
    // The wallet is already in every contribution it made.
    await this.audit.record({
      action: 'contributor.erase',
      target: { type: 'contributor', id: wallet },
      changes: {
        by: { from: null, to: authority.by },
        contributions: { from: null, to: fresh.length },
        rowsErased: { from: null, to: erased.reduce((sum, e) => sum + e.n, 0) },
      },
    });
  }

  private async summary(
    manager: EntityManager,
    wallet: string,
    contributions: ContributionEntity[],
  ): Promise<ErasureSummaryDto> {
    const counts: { id: string; n: number }[] = await manager.query(
      `SELECT "contributionId" AS id, count(*)::int AS n FROM contribution_rows
        WHERE "contributionId" = ANY($1) GROUP BY "contributionId"`,
      [contributions.map((c) => c.id)],
    );
    const rowsOf = new Map(counts.map((r) => [r.id, r.n]));
    const items = contributions.map((c) => ({
      id: c.id,
      modelName: c.modelName,
      status: c.status,
      datasetHash: c.datasetHash ?? null,
      rows: rowsOf.get(c.id) ?? 0,
      erasedAt: c.erasedAt!.toISOString(),
    }));
    return { walletAddress: wallet, contributions: items, rows: items.reduce((sum, c) => sum + c.rows, 0) };
  }
}
