import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { cacheConfig } from '../config';

export const REDIS = Symbol('REDIS');
/** The shared Redis client, or null when REDIS_URL is unset. */
export type RedisClient = Redis | null;
export const InjectRedis = (): ParameterDecorator => Inject(REDIS);

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [cacheConfig.KEY],
      useFactory: (config: ConfigType<typeof cacheConfig>): RedisClient => {
        if (!config.REDIS_URL) return null;
        const client = new Redis(config.REDIS_URL, {
          maxRetriesPerRequest: 2,
          enableOfflineQueue: true,
          lazyConnect: false,
        });
        const logger = new Logger('Redis');
        client.on('error', (err: Error) => logger.warn({ message: 'redis error', error: err.message }));
        return client;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
