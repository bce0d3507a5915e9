import { Module } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import { DataSource } from 'typeorm';
import { JobContext, JobProcessor, Processor, QueueService } from 'src/platform/queue';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

class CountJobDto {
  @IsString() key: string;
  @IsInt() n: number;
}

class FailJobDto {
  @IsString() owner: string;
}

const runs: string[] = [];
const failedAttempts: number[] = [];

/** Counts its runs by key; no ownerOf, so only admins may read its jobs. */
@Processor('test.counting', { payload: CountJobDto, retryLimit: 3, retryDelaySeconds: 1 })
class CountingProcessor extends JobProcessor<CountJobDto> {
  process(job: JobContext<CountJobDto>): Promise<void> {
    runs.push(job.data.key);
    return Promise.resolve();
  }
}

/** Fails every attempt; its jobs belong to the owner named in the payload. */
@Processor('test.failing', { payload: FailJobDto, retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true })
class FailingProcessor extends JobProcessor<FailJobDto> {
  process(): Promise<void> {
    failedAttempts.push(Date.now());
    return Promise.reject(new Error(`attempt ${failedAttempts.length} failed`));
  }

  override ownerOf(data: FailJobDto): Promise<string | null> {
    return Promise.resolve(data.owner);
  }
}

@Module({ providers: [CountingProcessor, FailingProcessor] })
class TestJobsModule {}

describe('durable jobs: @Processor queues and GET /api/v1/jobs/{id}', () => {
  let t: TestApp;
  let queue: QueueService;
  let alice: CreatedKey;
  let bob: CreatedKey;

  beforeAll(async () => {
    t = await createTestApp({ imports: [TestJobsModule] });
    queue = t.app.get(QueueService);
    alice = await createApiKey(t, { scopes: ['models:read'] });
    bob = await createApiKey(t, { scopes: ['models:read'] });
  });

  afterAll(async () => {
    await t.close();
  });

  const settled = (queueName: string, id: string, state: 'completed' | 'failed') =>
    waitFor(async () => {
      const job = await queue.getJob(queueName, id);
      return job?.state === state ? job : undefined;
    }, `job ${id} to be ${state}`);
  const getJob = (id: string, headers: { authorization: string } = t.admin) =>
    t.http.get(`/api/v1/jobs/${id}`).set(headers);

  it('should run a job once when it is enqueued twice with the same key', async () => {
    const first = await queue.enqueue('test.counting', { key: 'twice', n: 1 }, { key: 'twice' });
    expect(await queue.enqueue('test.counting', { key: 'twice', n: 1 }, { key: 'twice' })).toBeNull();
    await settled('test.counting', first!, 'completed');
    expect(await queue.enqueue('test.counting', { key: 'twice', n: 1 }, { key: 'twice' })).toBeNull();
    expect(runs.filter((k) => k === 'twice')).toEqual(['twice']);
    const res = await getJob(first!).expect(200);
    expect(res.body).toMatchObject({ id: first, queue: 'test.counting', state: 'completed', error: null });
  });

  it('should not run a job again when the same key comes after the job was archived', async () => {
    const id = await queue.enqueue('test.counting', { key: 'archived', n: 1 }, { key: 'archived' });
    await settled('test.counting', id!, 'completed');
    // What pg-boss's maintenance does to a finished job after a while.
    const ds = t.app.get(DataSource);
    await ds.transaction(async (manager) => {
      await manager.query('INSERT INTO pgboss.archive SELECT *, now() FROM pgboss.job WHERE id = $1', [id]);
      await manager.query('DELETE FROM pgboss.job WHERE id = $1', [id]);
    });
    expect(await queue.enqueue('test.counting', { key: 'archived', n: 1 }, { key: 'archived' })).toBeNull();
    expect(runs.filter((k) => k === 'archived')).toEqual(['archived']);
    expect((await getJob(id!).expect(200)).body.state).toBe('completed');
  });

  it('should fail the job at once, without running it, with the reason visible when its payload is invalid', async () => {
    const id = await queue.enqueue('test.counting', { key: 'invalid', n: 'not a number' });
    const job = await settled('test.counting', id!, 'failed');
    expect(job.retryCount).toBe(0);
    expect(runs).not.toContain('invalid');
    const res = await getJob(id!).expect(200);
    expect(res.body).toMatchObject({ state: 'failed', retryCount: 0 });
    expect(res.body.error).toMatch(/^invalid job payload: n must be an integer number/);
  });

  it('should retry with backoff and end failed with its error visible to its owner when every attempt fails', async () => {
    const id = await queue.enqueue('test.failing', { owner: alice.owner });
    await waitFor(async () => (await queue.getJob('test.failing', id!))?.state === 'failed', 'the job to fail');
    expect(failedAttempts).toHaveLength(3);
    // pg-boss starts no retry before its start_after: lower bounds, not timings.
    expect(failedAttempts[1] - failedAttempts[0]).toBeGreaterThanOrEqual(900);
    expect(failedAttempts[2] - failedAttempts[1]).toBeGreaterThanOrEqual(900);

    const res = await getJob(id!, alice.headers).expect(200);
    expect(res.body).toMatchObject({
      id,
      queue: 'test.failing',
      state: 'failed',
      retryCount: 2,
      retryLimit: 2,
      retryDelaySeconds: 1,
      retryBackoff: true,
      error: 'attempt 3 failed',
    });
    expect(res.body.completedAt).toEqual(expect.any(String));
    const other = await getJob(id!, bob.headers).expect(404);
    expect(other.body.code).toBe('JOB_NOT_FOUND');
  });

  it('should answer 404 problem+json when the id is unknown or the job belongs to no owner of the key', async () => {
    const unknown = await getJob('0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b').expect(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    const id = await queue.enqueue('test.counting', { key: 'admins-only', n: 2 });
    expect((await getJob(id!, alice.headers).expect(404)).body.code).toBe('JOB_NOT_FOUND');
    expect((await getJob(id!).expect(200)).body.queue).toBe('test.counting');
  });

  it('should answer 400 when the id is not a UUID and 401 without a key', async () => {
    expect((await getJob('nope').expect(400)).body.code).toBe('VALIDATION_FAILED');
    await t.http.get('/api/v1/jobs/0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b').expect(401);
  });
});
