import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** The first key of every job lock (pg_advisory_lock(int4, int4)), so they never meet the app's other locks. */
const LOCK_SPACE = 0x6a6f62; // "job"

/** An active job is only judged once it has been active this long (the worker takes its lock just after claiming). */
export const ORPHAN_GRACE_SECONDS = 15;

export interface OrphanedJob {
  id: string;
  name: string;
}

/**
 * Whether the process that runs an active job is alive. pg-boss 10 has no heartbeat: a job whose process was killed
 * stays `active` until its expiry (up to an hour). Each process holds a session advisory lock per job it runs, on
 * one connection of its own; PostgreSQL drops the locks of a session whose process died, so an active job whose
 * lock anyone can take has lost its worker, and is failed at once to be retried.
 */
export class JobLiveness {
  private readonly logger = new Logger('Queue');
  private client?: Client;
  private readonly running = new Set<string>();

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'deltaone-platform:job-locks' });
    // A lost connection loses the locks: reconnect and take them again (until then, jobs may be judged orphaned).
    client.on('error', (err: Error) => {
      this.logger.warn({ message: 'job lock connection lost', error: err.message });
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    for (const id of this.running) await this.lock(id);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Holds the job's lock while `run` runs. */
  async hold<T>(jobId: string, run: () => Promise<T>): Promise<T> {
    this.running.add(jobId);
    await this.lock(jobId).catch(() => undefined);
    try {
      return await run();
    } finally {
      this.running.delete(jobId);
      await this.client
        ?.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_SPACE, jobId])
        .catch(() => undefined);
    }
  }

  /** Active jobs, older than the grace period, run by no live process. */
  async orphaned(): Promise<OrphanedJob[]> {
    if (!this.client) await this.start();
    const client = this.client!;
    const { rows } = await client.query<OrphanedJob>(
      `SELECT id, name FROM pgboss.job WHERE state = 'active' AND started_on < now() - make_interval(secs => $1)`,
      [ORPHAN_GRACE_SECONDS],
    );
    const orphans: OrphanedJob[] = [];
    for (const job of rows) {
      if (this.running.has(job.id)) continue; // ours: this session holds the lock already
      const { rows: got } = await client.query<{ free: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS free',
        [LOCK_SPACE, job.id],
      );
      if (!got[0].free) continue;
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_SPACE, job.id]);
      orphans.push(job);
    }
    return orphans;
  }

  /** Not blocking: two job ids that hash alike share a lock, and the second job then only loses early detection. */
  private async lock(jobId: string): Promise<void> {
    if (!this.client) return this.start(); // which locks every running job
    await this.client.query('SELECT pg_try_advisory_lock($1, hashtext($2))', [LOCK_SPACE, jobId]);
  }
}
