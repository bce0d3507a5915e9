import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Min } from 'class-validator';
import { defineConfig, toBool, toInt } from './config.schema';

/** Requests per window, per API key and per client IP for calls without one. */
export class RateLimitEnvironment {
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  RATE_LIMIT_ENABLED = true;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  RATE_LIMIT_TTL_MS = 60000;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  RATE_LIMIT_LIMIT = 1200;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  RATE_LIMIT_ANONYMOUS_LIMIT = 120;
}

export const rateLimitConfig = defineConfig('rateLimit', RateLimitEnvironment);
