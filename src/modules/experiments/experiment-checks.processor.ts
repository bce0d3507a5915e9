import { IsISO8601 } from 'class-validator';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { EXPERIMENT_CHECK_QUEUE, ExperimentChecks } from './experiment-checks';

export class ExperimentCheckJobDto {
  @IsISO8601()
  slot: string;
}

/** The slot's check of every running experiment (every EXPERIMENT_CHECK_SECONDS). Only admins may read its jobs. */
@Processor(EXPERIMENT_CHECK_QUEUE, { payload: ExperimentCheckJobDto, retryLimit: 1, retryDelaySeconds: 10 })
export class ExperimentCheckProcessor extends JobProcessor<ExperimentCheckJobDto> {
  constructor(private readonly checks: ExperimentChecks) {
    super();
  }

  process(_job: JobContext<ExperimentCheckJobDto>): Promise<void> {
    return this.checks.runScheduled();
  }
}
