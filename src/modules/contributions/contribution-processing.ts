import { PrivacyService } from 'src/modules/privacy';
import { AuditService, changesOf } from 'src/platform/audit';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { ContributionEntity } from './contribution.entity';
import { ContributionRun } from './contribution-pipeline';
import { checkSignature, signatureMessage } from './contribution.rules';
import {
  countOutliers,
  erasedUnderLock,
  mergeModelStats,
  modelReference,
  storeChunk,
  storedDatasetHash,
} from './contribution-store';
import { ContributionError } from './contributions.errors';
import { ContributionsRepository } from './contributions.repository';
import { RowSource, SubmitContext } from './contributions.types';

/** A received contribution's processing: validating → accepted | rejected, with `contribution.processed`. */
export class ContributionProcessing {
  constructor(
    private readonly txHost: TxHost,
    private readonly repository: ContributionsRepository,
    private readonly privacy: PrivacyService,
    private readonly events: EventsService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * validating → accepted | rejected, in one transaction whatever the size: the rows are checked, scanned,
   * hashed and inserted chunk by chunk (memory holds one chunk), the quality report is made from the running
   * statistics and the outliers counted in SQL over the inserted rows; a rejection rolls the rows back, so a
   * rejected contribution leaves no row behind and an accepted one appears whole. Throws NO_ACCEPTABLE_ROWS and
   * PII_DETECTED (and a file or signature problem found by the job) once the rejection is recorded.
   */
  async process(c: ContributionEntity, ctx: SubmitContext, source: RowSource): Promise<ContributionEntity> {
    const { settings, columns } = ctx;
    c.status = 'validating';
    c.validatingAt = new Date();
    await this.repository.markValidating(c.id, c.validatingAt);
    const run = new ContributionRun(columns, (rows) => this.privacy.scanRows(rows), settings.piiPolicy, {
      secret: this.config.CONTRIBUTION_PSEUDONYM_SECRET,
      textCells: source.textCells,
      hashSubmitted: source.signature !== undefined,
    });
    const ids = { contributionId: c.id, modelId: c.modelId };
    const rejection = await this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
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
        await this.finish(c, code, reason);
        return problem;
      }
      await mergeModelStats(manager, ids, columns);
      c.acceptedRows = creditedRows;
      c.duplicateRows = run.valid - creditedRows;
      await this.finish(c, null, null);
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

  /** The last state change (accepted, or rejected with a code), with `contribution.processed`, in the transaction. */
  private async finish(
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
    await this.repository.saveOutcome(c);
    await this.events.publish(
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
    await this.audit.record({
      action: c.status === 'accepted' ? 'contribution.accept' : 'contribution.reject',
      target: { type: 'contribution', id: c.id, owner: c.owner },
      changes: {
        status: { from: 'validating', to: c.status },
        ...changesOf(null, c, ['acceptedRows', 'rejectedRows', 'duplicateRows', 'rejectionCode']),
      },
    });
  }
}
