import { DataSource } from 'typeorm';
import { TxHost } from 'src/platform/database';
import { deadLetterQueue, QueueService } from 'src/platform/queue';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

describe(QueueService.name, () => {
  let t: TestApp;
  let queue: QueueService;
  let ds: DataSource;
  let txHost: TxHost;

  beforeAll(async () => {
    t = await createTestApp();
    queue = t.app.get(QueueService);
    ds = t.app.get(DataSource);
    txHost = t.app.get(TxHost);
  });

  afterAll(async () => {
    await t.close();
  });

  const jobsOf = async (name: string): Promise<{ state: string; retry_count: number; data: unknown }[]> =>
    ds.query('SELECT state, retry_count, data FROM pgboss.job WHERE name = $1', [name]);

  it('should enqueue nothing when the caller transaction rolls back', async () => {
    await queue.define('tx-rollback', { retryLimit: 0, retryDelaySeconds: 1, retryBackoff: false });
    await expect(
      txHost.withTransaction(async () => {
        await txHost.tx.query('CREATE TEMP TABLE IF NOT EXISTS t_marker (x int)');
        await queue.enqueue('tx-rollback', { n: 1 });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await jobsOf('tx-rollback')).toEqual([]);
  });

  it('should enqueue the job when the caller transaction commits', async () => {
    await queue.define('tx-commit', { retryLimit: 0, retryDelaySeconds: 1, retryBackoff: false });
    const id = await txHost.withTransaction(() => queue.enqueue('tx-commit', { n: 2 }));
    expect(id).toEqual(expect.any(String));
    expect(await queue.getJob('tx-commit', id!)).toMatchObject({ data: { n: 2 }, state: 'created' });
  });

  it('should not enqueue twice when the same job id is sent again', async () => {
    await queue.define('dedupe', { retryLimit: 0, retryDelaySeconds: 1, retryBackoff: false });
    const id = '0b5f1a2e-6f3c-4d1a-9a52-3c1b2d4e5f60';
    expect(await queue.enqueue('dedupe', { n: 1 }, { id })).toBe(id);
    expect(await queue.enqueue('dedupe', { n: 1 }, { id })).toBeNull();
    expect(await jobsOf('dedupe')).toHaveLength(1);
  });

  it('should retry after the backoff delay and end failed with a dead letter when every attempt fails', async () => {
    await queue.define('always-fails', { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true });
    const attempts: number[] = [];
    await queue.work('always-fails', () => {
      attempts.push(Date.now());
      return Promise.reject(new Error(`attempt ${attempts.length} failed`));
    });
    const id = await queue.enqueue('always-fails', { order: 7 });

    const job = await waitFor(async () => {
      const j = await queue.getJob('always-fails', id!);
      return j?.state === 'failed' ? j : undefined;
    }, 'the job to fail for good');
    expect(attempts).toHaveLength(3);
    expect(job.retryCount).toBe(2);
    expect(job.output).toMatchObject({ message: 'attempt 3 failed' });
    // pg-boss does not start a retry before its start_after, so these are lower bounds, not timings.
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(900);
    expect(attempts[2] - attempts[1]).toBeGreaterThanOrEqual(900);

    const dead = await waitFor(async () => {
      const rows = await jobsOf(deadLetterQueue('always-fails'));
      return rows.length ? rows : undefined;
    }, 'the dead letter');
    expect(dead[0].data).toEqual({ order: 7 });
  });

  it('should complete after a retry when only the first attempt fails', async () => {
    await queue.define('flaky-once', { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: false });
    let calls = 0;
    await queue.work('flaky-once', () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('transient')) : Promise.resolve();
    });
    const id = await queue.enqueue('flaky-once', {});
    const job = await waitFor(async () => {
      const j = await queue.getJob('flaky-once', id!);
      return j?.state === 'completed' ? j : undefined;
    }, 'the job to complete');
    expect(job.retryCount).toBe(1);
    expect(calls).toBe(2);
  });

  it('should run each job once when two app instances work the same queue', async () => {
    const other = await createTestApp({ databaseUrl: t.databaseUrl });
    try {
      const name = 'shared-work';
      await queue.define(name, { retryLimit: 0, retryDelaySeconds: 1, retryBackoff: false });
      const runs: string[] = [];
      const inFlight = new Set<string>();
      const overlaps: string[] = [];
      const handler = async (job: { id: string }): Promise<void> => {
        if (inFlight.has(job.id)) overlaps.push(job.id);
        inFlight.add(job.id);
        runs.push(job.id);
        await new Promise((r) => setTimeout(r, 5));
        inFlight.delete(job.id);
      };
      await queue.work(name, handler, 3);
      await other.app.get(QueueService).work(name, handler, 3);

      const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => queue.enqueue(name, { i })));
      await waitFor(async () => (await queue.stateCounts(name)).completed === 60, 'all 60 jobs to complete', 40_000);
      expect(runs).toHaveLength(60);
      expect(new Set(runs)).toEqual(new Set(ids));
      expect(overlaps).toEqual([]);
    } finally {
      await other.app.close();
    }
  });
});
