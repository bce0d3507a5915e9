export { CacheModule } from './cache.module';
export { InjectRedis, REDIS, RedisClient, RedisModule } from './redis';
