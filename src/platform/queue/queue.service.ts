import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config';
import { TxHost } from '../database/transactions';

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
  /** @deprecated Temporary, for contributions: enqueue in this transaction rather than the ambient one. */
  manager?: EntityManager;
  /** A deterministic id (UUID) makes a second enqueue of the same business event a no-op. */
  id?: string;
  startAfter?: Date | number;
}

export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
}

export const deadLetterQueue = (name: string): string => `${name}.dead`;

/**
 * Durable jobs on PostgreSQL through pg-boss: workers claim jobs with FOR UPDATE SKIP LOCKED, failed jobs are
 * retried with exponential backoff, and after the last attempt they are `failed` with a copy in `<name>.dead`.
 */
@Injectable()
export class QueueService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private boss: PgBoss;
  private started = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
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
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: this.config.SHUTDOWN_TIMEOUT_MS });
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
    const send: PgBoss.SendOptions = { id: options.id, startAfter: options.startAfter };
    const manager = options.manager ?? (this.txHost.isTransactionActive() ? this.txHost.tx : undefined);
    if (manager) send.db = transactionDb(manager);
    return this.boss.send(name, data, send);
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
        await handler({ id: job.id, name: job.name, data: job.data });
      });
    }
  }

  getJob<T = object>(name: string, id: string): Promise<PgBoss.JobWithMetadata<T> | null> {
    return this.boss.getJobById<T>(name, id);
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
