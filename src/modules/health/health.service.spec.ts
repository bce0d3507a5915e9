import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken } from '@nestjs/typeorm';
import { REDIS } from 'src/platform/cache';
import { cacheConfig } from 'src/platform/config';
import { QueueService } from 'src/platform/queue';
import { DatabaseHealthIndicator, JobsHealthIndicator, RedisHealthIndicator } from './health.indicators';
import { HealthService } from './health.service';

/** Stand-ins for the database, Redis and the job system, each of which a test can break. */
function world() {
  return {
    database: { query: jest.fn(() => Promise.resolve([{ '?column?': 1 }])) },
    pending: false,
    running: true,
    redisUrl: undefined as string | undefined,
    ping: jest.fn(() => Promise.resolve('PONG')),
  };
}

async function healthOf(w: ReturnType<typeof world>): Promise<HealthService> {
  const dataSource = {
    query: w.database.query,
    showMigrations: () => Promise.resolve(w.pending),
    migrations: [{}, {}, {}],
  };
  const module = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    providers: [
      HealthService,
      DatabaseHealthIndicator,
      RedisHealthIndicator,
      JobsHealthIndicator,
      { provide: getDataSourceToken(), useValue: dataSource },
      { provide: REDIS, useValue: w.redisUrl ? { ping: w.ping } : null },
      {
        provide: QueueService,
        useValue: {
          get isRunning() {
            return w.running;
          },
        },
      },
      { provide: cacheConfig.KEY, useValue: { REDIS_URL: w.redisUrl, CACHE_TTL_MS: 1000 } },
    ],
  }).compile();
  return module.get(HealthService);
}

describe('HealthService', () => {
  it('should report every component in the API shape when every indicator is up', async () => {
    const report = await (await healthOf(world())).report();
    expect(report).toEqual({
      status: 'ok',
      components: {
        api: { status: 'up' },
        database: { status: 'up', latencyMs: expect.any(Number) },
        migrations: { status: 'up', latencyMs: expect.any(Number), applied: 3 },
        redis: { status: 'disabled', detail: 'REDIS_URL is not set; in-memory cache' },
        jobs: { status: 'up' },
      },
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptime: expect.any(Number),
    });
    expect(Object.keys(report.components)).toEqual(['api', 'database', 'migrations', 'redis', 'jobs']);
    expect(Object.keys(report.components.migrations)[0]).toBe('status');
  });

  it('should report the database down with its reason when the query fails', async () => {
    const w = world();
    w.database.query.mockRejectedValueOnce(new Error('connection refused'));
    const report = await (await healthOf(w)).report();
    expect(report.status).toBe('error');
    expect(report.components.database).toEqual({ status: 'down', detail: 'connection refused' });
    expect(report.components.migrations.status).toBe('up');
  });

  it('should report migrations down when some are pending', async () => {
    const w = world();
    w.pending = true;
    const report = await (await healthOf(w)).report();
    expect(report.status).toBe('error');
    expect(report.components.migrations).toEqual({ status: 'down', detail: 'migrations are pending' });
  });

  it('should ping Redis and report it down when REDIS_URL is set and PING fails', async () => {
    const w = world();
    w.redisUrl = 'redis://127.0.0.1:6379';
    w.ping.mockRejectedValueOnce(new Error('Connection is closed.'));
    const report = await (await healthOf(w)).report();
    expect(w.ping).toHaveBeenCalledTimes(1);
    expect(report.status).toBe('error');
    expect(report.components.redis).toEqual({ status: 'down', detail: 'Connection is closed.' });
  });

  it('should report Redis up with its latency when REDIS_URL is set and PING answers', async () => {
    const w = world();
    w.redisUrl = 'redis://127.0.0.1:6379';
    const report = await (await healthOf(w)).report();
    expect(report.status).toBe('ok');
    expect(report.components.redis).toEqual({ status: 'up', latencyMs: expect.any(Number) });
  });

  it('should not ping Redis when REDIS_URL is unset', async () => {
    const w = world();
    await (await healthOf(w)).report();
    expect(w.ping).not.toHaveBeenCalled();
  });

  it('should report jobs down when the job system is stopped', async () => {
    const w = world();
    w.running = false;
    const report = await (await healthOf(w)).report();
    expect(report.status).toBe('error');
    expect(report.components.jobs).toEqual({ status: 'down', detail: 'job system stopped' });
  });
});
