import { createServer } from 'node:net';
import { QueueService } from 'src/platform/queue';
import { describeWithRedis, TEST_REDIS_URL } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** A local port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const report = (components: Record<string, unknown>, status: 'ok' | 'error') => ({
  status,
  components: {
    api: { status: 'up' },
    database: { status: 'up', latencyMs: expect.any(Number) },
    migrations: { status: 'up', latencyMs: expect.any(Number), applied: expect.any(Number) },
    redis: { status: 'disabled', detail: 'REDIS_URL is not set; in-memory cache' },
    jobs: { status: 'up' },
    ...components,
  },
  version: expect.stringMatching(/^\d+\.\d+\.\d+/),
  uptime: expect.any(Number),
});

describe('readiness when Redis is configured but does not answer', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 503 with Redis down when readiness is asked', async () => {
    const res = await t.http.get('/health/ready').expect(503);
    expect(res.body).toEqual(report({ redis: { status: 'down', detail: expect.any(String) } }, 'error'));
  });

  it('should answer 200 with status error when the detailed health is asked', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual(report({ redis: { status: 'down', detail: expect.any(String) } }, 'error'));
  });

  it('should still answer liveness when Redis is down', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
  });
});

describe('readiness when the job system has stopped', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 503 with jobs down when the job system stops', async () => {
    await t.http.get('/health/ready').expect(200);
    await t.app.get(QueueService).onApplicationShutdown();
    const res = await t.http.get('/health/ready').expect(503);
    expect(res.body).toEqual(report({ jobs: { status: 'down', detail: 'job system stopped' } }, 'error'));
  });
});

describeWithRedis('readiness with a live Redis', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REDIS_URL: TEST_REDIS_URL! } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 200 with Redis up and its latency when Redis answers PING', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toEqual(report({ redis: { status: 'up', latencyMs: expect.any(Number) } }, 'ok'));
  });
});
