import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REDIS, RedisClient } from 'src/platform/cache';
import { QueueService } from 'src/platform/queue';
import { APP_VERSION } from 'src/platform/version';

export type ComponentStatus = 'up' | 'down' | 'disabled';

export interface ComponentHealth {
  status: ComponentStatus;
  latencyMs?: number;
  detail?: string;
  [key: string]: unknown;
}

export interface HealthReport {
  status: 'ok' | 'error';
  components: Record<string, ComponentHealth>;
  version: string;
  uptime: number;
}

const CHECK_TIMEOUT_MS = 2000;

async function timed(check: () => Promise<Record<string, unknown> | void>): Promise<ComponentHealth> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const extra = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round((performance.now() - start) * 100) / 100, ...(extra ?? {}) };
  } catch (err) {
    return { status: 'down', detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly queue: QueueService,
  ) {}

  async report(): Promise<HealthReport> {
    const [database, migrations, redis] = await Promise.all([
      timed(async () => {
        await this.dataSource.query('SELECT 1');
      }),
      timed(async () => {
        if (await this.dataSource.showMigrations()) throw new Error('migrations are pending');
        return { applied: this.dataSource.migrations.length };
      }),
      this.redis
        ? timed(async () => {
            await this.redis!.ping();
          })
        : Promise.resolve<ComponentHealth>({ status: 'disabled', detail: 'REDIS_URL is not set; in-memory cache' }),
    ]);
    const jobs: ComponentHealth = this.queue.isRunning
      ? { status: 'up' }
      : { status: 'down', detail: 'job system stopped' };
    const components: Record<string, ComponentHealth> = { api: { status: 'up' }, database, migrations, redis, jobs };
    const ok = Object.values(components).every((c) => c.status !== 'down');
    return { status: ok ? 'ok' : 'error', components, version: APP_VERSION, uptime: Math.round(process.uptime()) };
  }
}
