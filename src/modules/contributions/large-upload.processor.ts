import { IsUUID } from 'class-validator';
import { TxHost } from 'src/platform/database';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { ContributionsRepository } from './contributions.repository';
import { ContributionsService } from './contributions.service';
import { LARGE_UPLOAD_QUEUE } from './contributions.types';

export class LargeUploadJobDto {
  @IsUUID('all', { message: 'contributionId must be a UUID' })
  contributionId: string;
}

/**
 * Processes a large upload stored with its contribution (the job has the contribution's id). Retried with
 * backoff after an unexpected failure (the file stays until the contribution is accepted or rejected); the owner
 * of the key that submitted the contribution may read the job.
 */
@Processor(LARGE_UPLOAD_QUEUE, {
  payload: LargeUploadJobDto,
  retryLimit: 5,
  retryDelaySeconds: 10,
  retryBackoff: true,
})
export class LargeUploadProcessor extends JobProcessor<LargeUploadJobDto> {
  private readonly repository: ContributionsRepository;

  constructor(
    private readonly contributions: ContributionsService,
    txHost: TxHost,
  ) {
    super();
    this.repository = new ContributionsRepository(txHost);
  }

  process(job: JobContext<LargeUploadJobDto>): Promise<void> {
    return this.contributions.processUpload(job.data.contributionId);
  }

  override async ownerOf(data: LargeUploadJobDto): Promise<string | null> {
    return (await this.repository.findById(data.contributionId))?.owner ?? null;
  }
}
