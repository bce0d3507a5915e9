import { CACHE_MANAGER, CacheModule as NestCacheModule, CacheOptions } from '@nestjs/cache-manager';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Cache } from 'cache-manager';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { cacheConfig } from '../config';

/**
 * The shared cache (`CACHE_MANAGER` from @nestjs/cache-manager): Redis through Keyv when REDIS_URL is set, so
 * every replica sees the same entries; process memory otherwise.
 */
@Global()
@Module({
  imports: [
    NestCacheModule.registerAsync({
      inject: [cacheConfig.KEY],
      useFactory: (config: ConfigType<typeof cacheConfig>): CacheOptions => {
        if (!config.REDIS_URL) return { ttl: config.CACHE_TTL_MS };
        // Without the offline queue a command fails at once while Redis is unreachable, instead of waiting for it
        // to come back: the cache then reads as a miss and the request is served (it fails open).
        const store = new KeyvRedis(
          { url: config.REDIS_URL, disableOfflineQueue: true, socket: { connectTimeout: 2000 } },
          { throwOnConnectError: false },
        );
        // The namespace is set on Keyv only; set on both, keys come out as `cache::cache:k`.
        return { stores: [new Keyv({ store, namespace: 'cache', useKeyPrefix: false })], ttl: config.CACHE_TTL_MS };
      },
    }),
  ],
  exports: [NestCacheModule],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  async onApplicationShutdown(): Promise<void> {
    await this.cache.disconnect().catch(() => undefined);
  }
}
