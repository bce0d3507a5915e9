import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { defineConfig, emptyToUndefined, toInt } from './config.schema';

/** Redis (shared cache, rate-limit counters) and the cache's default lifetime. */
export class CacheEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  CACHE_TTL_MS = 300000;
}

export const cacheConfig = defineConfig('cache', CacheEnvironment);
