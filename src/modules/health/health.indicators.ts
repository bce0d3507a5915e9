import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REDIS, RedisClient } from 'src/platform/cache';
import { QueueService } from 'src/platform/queue';

const CHECK_TIMEOUT_MS = 2000;

/**
 * Runs one check within CHECK_TIMEOUT_MS: `up` with its latency (and what the check returns), or `down` with the
 * reason. A check never throws, so terminus reports every component instead of stopping at the first failure.
 */
async function timed(
  indicators: HealthIndicatorService,
  key: string,
  check: () => Promise<Record<string, unknown> | void>,
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const extra = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return session.up({ latencyMs: Math.round((performance.now() - start) * 100) / 100, ...(extra ?? {}) });
  } catch (err) {
    return session.down({ detail: (err as Error).message });
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The database answers a query. */
  isReachable(key: string): Promise<HealthIndicatorResult> {
    return timed(this.indicators, key, async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  /** Every migration the code knows is applied. */
  isMigrated(key: string): Promise<HealthIndicatorResult> {
    return timed(this.indicators, key, async () => {
      if (await this.dataSource.showMigrations()) throw new Error('migrations are pending');
      return { applied: this.dataSource.migrations.length };
    });
  }
}

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /** Redis answers PING (only asked when REDIS_URL is set). */
  isReachable(key: string): Promise<HealthIndicatorResult> {
    return timed(this.indicators, key, async () => {
      if (!this.redis) throw new Error('no Redis client');
      await this.redis.ping();
    });
  }
}

@Injectable()
export class JobsHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly queue: QueueService,
  ) {}

  /** The job system (pg-boss) is started in this process. */
  isRunning(key: string): HealthIndicatorResult {
    const session = this.indicators.check(key);
    return this.queue.isRunning ? session.up() : session.down({ detail: 'job system stopped' });
  }
}
