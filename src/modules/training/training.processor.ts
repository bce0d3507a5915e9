import { IsUUID } from 'class-validator';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { TrainingExecutor } from './training-executor';
import { TRAINING_RUN_QUEUE } from './training-runs.service';
import { TrainingRunEntity } from './training-run.entity';
import { TxHost } from 'src/platform/database';

export class TrainingRunJobDto {
  @IsUUID()
  runId: string;
}

/**
 * One training run. Not retried on a training failure (the run records it as failed); a job whose process died
 * expires and is retried, and finds its run still running.
 */
@Processor(TRAINING_RUN_QUEUE, {
  payload: TrainingRunJobDto,
  retryLimit: 2,
  retryDelaySeconds: 10,
  expireInSeconds: 3600,
  concurrency: 1,
})
export class TrainingRunProcessor extends JobProcessor<TrainingRunJobDto> {
  constructor(
    private readonly executor: TrainingExecutor,
    private readonly txHost: TxHost,
  ) {
    super();
  }

  process(job: JobContext<TrainingRunJobDto>): Promise<void> {
    return this.executor.execute(job.data.runId);
  }

  override async ownerOf(data: TrainingRunJobDto): Promise<string | null> {
    const run = await this.txHost.tx.getRepository(TrainingRunEntity).findOneBy({ id: data.runId });
    return run?.owner ?? null;
  }
}
