import { IsISO8601 } from 'class-validator';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { TRAINING_POLICY_QUEUE, TrainingPolicyService } from './training-policy.service';

export class TrainingPolicyJobDto {
  @IsISO8601()
  slot: string;
}

/** The minute's check of every enabled training policy. Only admins may read its jobs. */
@Processor(TRAINING_POLICY_QUEUE, { payload: TrainingPolicyJobDto, retryLimit: 1, retryDelaySeconds: 10 })
export class TrainingPolicyProcessor extends JobProcessor<TrainingPolicyJobDto> {
  constructor(private readonly policies: TrainingPolicyService) {
    super();
  }

  process(_job: JobContext<TrainingPolicyJobDto>): Promise<void> {
    return this.policies.runScheduled();
  }
}
