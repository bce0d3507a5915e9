import { Injectable } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { Principal } from '../auth';
import { JobProcessors } from './job-processors';
import { JobError } from './jobs.errors';
import { checkPayload } from './processor';
import { QueueService } from './queue.service';

/** Reading durable jobs: only the jobs of @Processor queues, only by admins and the owner of the job's resource. */
@Injectable()
export class JobsService {
  constructor(
    private readonly queue: QueueService,
    private readonly processors: JobProcessors,
  ) {}

  /** The job, or JOB_NOT_FOUND when there is none or the caller may not read it (deny by default). */
  async get(principal: Principal, id: string): Promise<PgBoss.JobWithMetadata> {
    const queues = this.processors.all().map((p) => p.meta.queue);
    const job = await this.queue.findJob(id, queues);
    if (!job || !(principal.isAdmin || (await this.ownerOf(job)) === principal.owner)) {
      throw new JobError('JOB_NOT_FOUND', `No job ${id}.`);
    }
    return job;
  }

  /** Who owns the job's resource per its processor; null (admins only) when the payload is not even valid. */
  private async ownerOf(job: PgBoss.JobWithMetadata): Promise<string | null> {
    const registered = this.processors.get(job.name);
    if (!registered) return null;
    const checked = await checkPayload(registered.meta.payload, job.data);
    return 'payload' in checked ? registered.processor.ownerOf(checked.payload) : null;
  }
}
