import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { cacheConfig } from 'src/platform/config';
import { APP_VERSION } from 'src/platform/version';
import { DatabaseHealthIndicator, JobsHealthIndicator, RedisHealthIndicator } from './health.indicators';

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

/** The components in the order the report lists them. */
const COMPONENTS = ['api', 'database', 'migrations', 'redis', 'jobs'] as const;

const REDIS_DISABLED: ComponentHealth = { status: 'disabled', detail: 'REDIS_URL is not set; in-memory cache' };

/**
 * Runs the indicators through terminus' HealthCheckService and answers in this API's shape (`components`
 * rather than terminus' `info`/`error`/`details`). A component that is not configured is `disabled`: it has no
 * indicator, so it can neither fail nor pass readiness.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly jobs: JobsHealthIndicator,
    @Inject(cacheConfig.KEY) private readonly cache: ConfigType<typeof cacheConfig>,
  ) {}

  async report(): Promise<HealthReport> {
    const checks: HealthIndicatorFunction[] = [
      () => this.indicators.check('api').up(),
      () => this.database.isReachable('database'),
      () => this.database.isMigrated('migrations'),
      () => this.jobs.isRunning('jobs'),
    ];
    if (this.cache.REDIS_URL) checks.push(() => this.redis.isReachable('redis'));
    const result = await this.run(checks);
    const components: Record<string, ComponentHealth> = {};
    for (const name of COMPONENTS) {
      const found = result.details[name];
      if (found) {
        const { status, ...rest } = found;
        components[name] = { status, ...rest };
      } else if (name === 'redis') components[name] = REDIS_DISABLED;
    }
    return {
      status: result.status === 'ok' ? 'ok' : 'error',
      components,
      version: APP_VERSION,
      uptime: Math.round(process.uptime()),
    };
  }

  /** Terminus throws a 503 carrying the result when a check is down; both answers are reported the same way. */
  private async run(checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (err instanceof ServiceUnavailableException) return err.getResponse() as HealthCheckResult;
      throw err;
    }
  }
}
