import { Matches } from 'class-validator';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { RETENTION_QUEUE } from './retention.kinds';
import { RetentionService } from './retention.service';

export class RetentionJobDto {
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must be a date YYYY-MM-DD' })
  day: string;
}

/** The day's retention run. Only admins may read its jobs: it belongs to no owner. */
@Processor(RETENTION_QUEUE, {
  payload: RetentionJobDto,
  retryLimit: 5,
  retryDelaySeconds: 60,
  retryBackoff: true,
  expireInSeconds: 3600,
  enabled: (config) => config.RETENTION_ENABLED,
})
export class RetentionProcessor extends JobProcessor<RetentionJobDto> {
  constructor(private readonly retention: RetentionService) {
    super();
  }

  process(job: JobContext<RetentionJobDto>): Promise<void> {
    return this.retention.runScheduled(job.data.day);
  }
}
