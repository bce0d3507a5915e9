import { Readable } from 'node:stream';
import { readRows } from './contribution-upload';
import { Row, typeTextRow } from './contribution.rules';
import { ContributionError } from './contributions.errors';
import { ContributionIntake } from './contribution-intake';
import { ContributionProcessing } from './contribution-processing';
import { ContributionsRepository } from './contributions.repository';
import { CHUNK_ROWS } from './contributions.types';

/** The work of the large-upload job (LargeUploadProcessor): a stored upload read back and processed. */
export class StoredUploads {
  constructor(
    private readonly repository: ContributionsRepository,
    private readonly intake: ContributionIntake,
    private readonly processing: ContributionProcessing,
  ) {}

  /**
   * Streams the stored file a piece at a time through the pipeline in chunks of CHUNK_ROWS rows, then drops the
   * file. Safe to rerun: nothing of a run commits until its last transaction.
   */
  async process(contributionId: string): Promise<void> {
    const c = await this.repository.findById(contributionId);
    const upload = await this.repository.findUpload(contributionId);
    if (!c || !upload || (c.status !== 'received' && c.status !== 'validating')) {
      await this.repository.dropUpload(contributionId);
      return;
    }
    const ctx = await this.intake.prepare(c.modelName, c.walletAddress);
    const textCells = upload.format === 'csv';
    const chunks = (async function* (bytes: AsyncIterable<Buffer>): AsyncGenerator<Row[]> {
      for await (const chunk of readRows(Readable.from(bytes), upload.format, CHUNK_ROWS))
        yield textCells ? chunk.map((r) => typeTextRow(r, ctx.columns)) : chunk;
    })(this.repository.uploadBytes(contributionId));
    const signature =
      upload.signature && upload.signedAt ? { signature: upload.signature, signedAt: upload.signedAt } : undefined;
    await this.processing.process(c, ctx, { chunks, textCells, signature }).catch((err: unknown) => {
      if (!(err instanceof ContributionError)) throw err;
    });
    // Only once the contribution is accepted or rejected: after an unexpected failure (the database, a crash)
    // nothing of the run is committed and the job's retry needs the file.
    await this.repository.dropUpload(contributionId);
  }
}
