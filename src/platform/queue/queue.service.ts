import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config';
import { TxHost } from '../database/transactions';
import { JobLiveness } from './job-liveness';
import { JobProcessors, RegisteredProcessor } from './job-processors';
import { checkPayload, InvalidJobPayloadError } from './processor';

export interface QueueDefinition {
  /** Attempts after the first one. */
  retryLimit: number;
  /** Seconds before the first retry; doubled (with jitter) each time when `retryBackoff`. */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /** A job that runs longer than this is considered lost and retried. */
  expireInSeconds?: number;
}

export interface EnqueueOptions {
  /** A deterministic id (UUID) makes a second enqueue of the same business event a no-op. */
  id?: string;
  /**
   * An idempotency key (when no `id`): the job's id is derived from the queue and the key, so a job enqueued twice
   * with the same key runs once, as long as pg-boss keeps it (its archive: 7 days after it finished).
   */
  key?: string;
  startAfter?: Date | number;
}

export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
}

export const deadLetterQueue = (name: string): string => `${name}.dead`;

/** The job id of `key` in queue `name`: a UUID derived from both, the same in every process. */
export function jobIdFor(name: string, key: string): string {
  const h = createHash('sha256').update(`${name}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** How often a process looks for active jobs whose process died. */
const ORPHAN_SWEEP_MS = 5000;

const DEFAULT_RETRY = { retryLimit: 5, retryDelaySeconds: 10, retryBackoff: true };

/**
 * Durable jobs on PostgreSQL through pg-boss: workers claim jobs with FOR UPDATE SKIP LOCKED, failed jobs are
 * retried with exponential backoff, and after the last attempt they are `failed` with a copy in `<name>.dead`.
 * The queues of @Processor providers are created at module init and worked from application bootstrap.
 */
@Injectable()
export class QueueService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private boss: PgBoss;
  private started = false;
  private liveness?: JobLiveness;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly processors: JobProcessors,
    private readonly txHost: TxHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    this.boss = new PgBoss({
      connectionString: url,
      max: 4,
      application_name: 'deltaone-platform:jobs',
      // No cron schedules are used; the scheduler's timers would only keep the process busy.
      schedule: false,
      supervise: true,
    });
    this.boss.on('error', (err: Error) => this.logger.error({ message: 'job system error', error: err.message }));
    await this.boss.start();
    this.started = true;
    // Before any application bootstrap hook, so that a module may enqueue from there.
    for (const { meta } of this.enabledProcessors()) {
      await this.define(meta.queue, {
        retryLimit: meta.retryLimit ?? DEFAULT_RETRY.retryLimit,
        retryDelaySeconds: meta.retryDelaySeconds ?? DEFAULT_RETRY.retryDelaySeconds,
        retryBackoff: meta.retryBackoff ?? DEFAULT_RETRY.retryBackoff,
        expireInSeconds: meta.expireInSeconds,
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.JOBS_ENABLED) {
      this.liveness = new JobLiveness((this.dataSource.options as { url: string }).url);
      await this.liveness.start();
      await this.retryOrphans();
      this.sweeper = setInterval(() => void this.retryOrphans(), ORPHAN_SWEEP_MS);
      this.sweeper.unref();
    }
    for (const registered of this.enabledProcessors()) {
      const run = (job: JobContext<object>): Promise<void> => this.runProcessor(registered, job);
      await this.work(registered.meta.queue, run, registered.meta.concurrency ?? 1);
    }
  }

  /** Fails, to be retried now rather than at their expiry, the active jobs whose process died (see JobLiveness). */
  private async retryOrphans(): Promise<void> {
    try {
      for (const job of (await this.liveness?.orphaned()) ?? []) {
        this.logger.warn({ message: 'retrying a job whose process died', queue: job.name, jobId: job.id });
        await this.boss.fail(job.name, job.id, { message: 'the process running the job died' });
      }
    } catch (err) {
      this.logger.warn({ message: 'could not look for orphaned jobs', error: (err as Error).message });
    }
  }

  private enabledProcessors(): RegisteredProcessor[] {
    return this.processors.all().filter(({ meta }) => meta.enabled?.(this.config) ?? true);
  }

  /** Checks the job's data against the processor's payload DTO: an invalid job fails at once, with no retry. */
  private async runProcessor({ meta, processor }: RegisteredProcessor, job: JobContext<object>): Promise<void> {
    const checked = await checkPayload(meta.payload, job.data);
    if ('problems' in checked) {
      await this.dataSource.query('UPDATE pgboss.job SET retry_limit = retry_count WHERE name = $1 AND id = $2', [
        job.name,
        job.id,
      ]);
      throw new InvalidJobPayloadError(checked.problems);
    }
    await processor.process({ ...job, data: checked.payload });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: this.config.SHUTDOWN_TIMEOUT_MS });
    await this.liveness?.stop();
  }

  get isRunning(): boolean {
    return this.started;
  }

  /** Creates (or updates) a queue and its dead-letter queue. Safe to call at every boot and from every replica. */
  async define(name: string, def: QueueDefinition): Promise<void> {
    const dead = deadLetterQueue(name);
    const options = {
      retryLimit: def.retryLimit,
      retryDelay: def.retryDelaySeconds,
      retryBackoff: def.retryBackoff,
      expireInSeconds: def.expireInSeconds ?? 15 * 60,
      deadLetter: dead,
    };
    if (!(await this.boss.getQueue(dead))) await this.boss.createQueue(dead, { name: dead });
    if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, { name, ...options });
    else await this.boss.createQueue(name, { name, ...options });
  }

  /**
   * Inside a transaction (`txHost.withTransaction`, `@Transactional()`), the job is written in it and exists only
   * if it commits; outside one, it is written at once.
   */
  async enqueue<T extends object>(name: string, data: T, options: EnqueueOptions = {}): Promise<string | null> {
    const manager = this.txHost.isTransactionActive() ? this.txHost.tx : undefined;
    const id = options.id ?? (options.key === undefined ? undefined : jobIdFor(name, options.key));
    // pg-boss dedupes ids among live jobs only: a job already finished and archived must not run again.
    if (id && (await this.archived(name, id, manager))) return null;
    const send: PgBoss.SendOptions = { id, startAfter: options.startAfter };
    if (manager) send.db = transactionDb(manager);
    return this.boss.send(name, data, send);
  }

  private async archived(name: string, id: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource).query(
      'SELECT 1 FROM pgboss.archive WHERE name = $1 AND id = $2',
      [name, id],
    );
    return rows.length > 0;
  }

  /**
   * Runs `handler` for each job of `name`, one job per loop, `concurrency` loops in this process. A throw fails
   * the attempt (it is retried per the queue's definition). With JOBS_ENABLED=false nothing is consumed here.
   */
  async work<T>(name: string, handler: (job: JobContext<T>) => Promise<void>, concurrency = 1): Promise<void> {
    if (!this.config.JOBS_ENABLED) return;
    const pollingIntervalSeconds = this.config.JOBS_POLL_INTERVAL_MS / 1000;
    for (let i = 0; i < concurrency; i++) {
      await this.boss.work<T>(name, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
        const run = () => handler({ id: job.id, name: job.name, data: job.data });
        await (this.liveness ? this.liveness.hold(job.id, run) : run());
      });
    }
  }

  getJob<T = object>(name: string, id: string): Promise<PgBoss.JobWithMetadata<T> | null> {
    return this.boss.getJobById<T>(name, id, { includeArchive: true });
  }

  /** The job with this id among the jobs of `queues` (live or archived), or null. */
  async findJob(id: string, queues: string[]): Promise<PgBoss.JobWithMetadata | null> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT name FROM pgboss.job WHERE id = $1 AND name = ANY($2)
       UNION ALL SELECT name FROM pgboss.archive WHERE id = $1 AND name = ANY($2) LIMIT 1`,
      [id, queues],
    );
    return rows.length === 0 ? null : this.getJob(rows[0].name, id);
  }

  /** Counts of jobs by state for a queue (for health and tests). */
  async stateCounts(name: string): Promise<Record<string, number>> {
    const rows: { state: string; n: string }[] = await this.dataSource.query(
      'SELECT state, count(*) AS n FROM pgboss.job WHERE name = $1 GROUP BY state',
      [name],
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}

/** Lets pg-boss write its job row through the caller's open transaction. */
function transactionDb(manager: EntityManager): PgBoss.Db {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('enqueue needs an open transaction');
  return {
    executeSql: async (text: string, values: unknown[]) => {
      const result = (await runner.query(text, values, true)) as { records: unknown[] };
      return { rows: result.records };
    },
  };
}
