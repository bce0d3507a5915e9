import { IsUUID } from 'class-validator';
import { TxHost } from 'src/platform/database';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { EVALUATION_QUEUE } from './deltaone.types';
import { EvaluationEntity } from './evaluation.entity';
import { EvaluationRunner } from './evaluation-runner';

export class EvaluationJobDto {
  @IsUUID('all', { message: 'evaluationId must be a UUID' })
  evaluationId: string;
}

/** Runs an evaluation; retried after an unexpected failure (a completed one is not run again). */
@Processor(EVALUATION_QUEUE, {
  payload: EvaluationJobDto,
  retryLimit: 3,
  retryDelaySeconds: 10,
  retryBackoff: true,
  expireInSeconds: 60 * 60,
})
export class EvaluationProcessor extends JobProcessor<EvaluationJobDto> {
  constructor(
    private readonly runner: EvaluationRunner,
    private readonly txHost: TxHost,
  ) {
    super();
  }

  process(job: JobContext<EvaluationJobDto>): Promise<void> {
    return this.runner.run(job.data.evaluationId);
  }

  override async ownerOf(data: EvaluationJobDto): Promise<string | null> {
    const e = await this.txHost.tx.getRepository(EvaluationEntity).findOneBy({ id: data.evaluationId });
    return e?.requestedBy ?? null;
  }
}
