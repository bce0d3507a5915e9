import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { RedisClient, REDIS } from '../cache/redis';
import { AppConfig } from '../config';
import { presentedKey } from '../auth/api-key-token';
import { ApiKeysService } from '../auth/api-keys.service';
import type { LeanRequest } from './lean-request';
import { FallbackThrottlerStorage } from './throttle-storage';

/** Client addresses whose anonymous limit is spent are remembered this many at most (the oldest go first). */
const MAX_SPENT = 10_000;

/** One settled promise shared by every request while limits are off. */
const ALLOWED = Promise.resolve(true);

interface Caller {
  tracker: string;
  authenticated: boolean;
}

/**
 * One bucket per authenticated API key (RATE_LIMIT_LIMIT) and one per client IP (RATE_LIMIT_ANONYMOUS_LIMIT) for
 * every request whose key is missing, unknown, revoked or expired, so a made-up key buys no bucket of its own.
 * The key is resolved here, before the auth guard, through the same cache (a valid key costs a map lookup); a key
 * not known yet from an address that has spent its anonymous limit is refused without a database lookup, so a
 * flood of made-up keys stops at the limit. The bucket is the caller's across every route.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  /** `ip:<address>` → until when its anonymous bucket is known to be spent (on this replica). */
  private readonly spent = new Map<string, number>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  /**
   * With limits off, allowed at once: the base guard's async canActivate (and its shouldSkip) cost a few promises
   * per request. Answers the same as the base guard, whose `skipIf` is the same setting.
   */
  override canActivate(context: ExecutionContext): Promise<boolean> {
    return this.config.RATE_LIMIT_ENABLED ? super.canActivate(context) : ALLOWED;
  }

  /** With limits off, answers before the six metadata lookups the base guard makes per request. */
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(this.commonOptions.skipIf?.(context) ?? false);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const caller = await this.callerOf(props.context.switchToHttp().getRequest<LeanRequest>());
    return super.handleRequest({
      ...props,
      limit: caller.authenticated ? this.config.RATE_LIMIT_LIMIT : this.config.RATE_LIMIT_ANONYMOUS_LIMIT,
      getTracker: () => Promise.resolve(caller.tracker),
    });
  }

  /** Per caller, not per route: the limit is the caller's whole budget. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttler: string): string {
    return `throttle:${throttler}:${tracker}`;
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    if (detail.tracker.startsWith('ip:')) {
      this.spent.delete(detail.tracker);
      if (this.spent.size >= MAX_SPENT) this.spent.delete(this.spent.keys().next().value!);
      this.spent.set(detail.tracker, Date.now() + detail.timeToBlockExpire * 1000);
    }
    return super.throwThrottlingException(context, detail);
  }

  private async callerOf(request: LeanRequest): Promise<Caller> {
    const anonymous = { tracker: `ip:${request.ip}`, authenticated: false };
    const key = presentedKey(request.headers);
    if (!key) return anonymous;
    if (this.isSpent(anonymous.tracker) && !this.apiKeys.isKnown(key)) return anonymous;
    const principal = await this.apiKeys.authenticate(key);
    return principal ? { tracker: `key:${principal.keyId}`, authenticated: true } : anonymous;
  }

  private isSpent(tracker: string): boolean {
    if (this.spent.size === 0) return false;
    const until = this.spent.get(tracker);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.spent.delete(tracker);
    return false;
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        // The guard picks the limit per caller (authenticated key or anonymous address).
        throttlers: [{ name: 'default', ttl: config.RATE_LIMIT_TTL_MS, limit: config.RATE_LIMIT_LIMIT }],
        skipIf: () => !config.RATE_LIMIT_ENABLED,
        // The shared client is reused (and closed by RedisModule), so counters are shared by every replica.
        storage: redis
          ? new FallbackThrottlerStorage(new ThrottlerStorageRedisService(redis), () => redis.status === 'ready')
          : undefined,
      }),
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
