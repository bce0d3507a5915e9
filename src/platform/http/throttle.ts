import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { RedisClient, REDIS } from '../cache/redis';
import { AppConfig } from '../config';
import { presentedKey } from '../auth/api-key-token';

const keyOf = (req: FastifyRequest): string | undefined => presentedKey(req.headers);

/** Hashes of presented keys kept; past this many (a flood of random keys) the memo starts over. */
const MAX_TRACKERS = 10_000;

/**
 * Limits per API key (by the hash of the key presented) and per client IP for anonymous calls. Runs before
 * authentication, so a flood of bad keys is turned away without a database lookup.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  private readonly trackers = new Map<string, string>();

  /** With limits off, answers before the six metadata lookups the base guard makes per request. */
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(this.commonOptions.skipIf?.(context) ?? false);
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    const key = keyOf(request);
    if (!key) return Promise.resolve(`ip:${request.ip}`);
    let tracker = this.trackers.get(key);
    if (tracker === undefined) {
      if (this.trackers.size >= MAX_TRACKERS) this.trackers.clear();
      tracker = `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
      this.trackers.set(key, tracker);
    }
    return Promise.resolve(tracker);
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        throttlers: [
          {
            name: 'default',
            ttl: config.RATE_LIMIT_TTL_MS,
            limit: (ctx: ExecutionContext) =>
              keyOf(ctx.switchToHttp().getRequest<FastifyRequest>())
                ? config.RATE_LIMIT_LIMIT
                : config.RATE_LIMIT_ANONYMOUS_LIMIT,
          },
        ],
        skipIf: () => !config.RATE_LIMIT_ENABLED,
        // The shared client is reused (and closed by RedisModule), so counters are shared by every replica.
        storage: redis ? new ThrottlerStorageRedisService(redis) : undefined,
      }),
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
