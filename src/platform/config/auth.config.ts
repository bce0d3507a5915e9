import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { defineConfig, emptyToUndefined, Secret, toInt } from './config.schema';

/** API keys: the bootstrap admin key and how long a checked key is trusted. */
export class AuthEnvironment {
  @Secret()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'must be at least 24 characters long' })
  @MaxLength(256, { message: 'must be at most 256 characters long' })
  ADMIN_API_KEY?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds (0 disables the cache)' })
  @Min(0, { message: 'must be an integer number of milliseconds (0 disables the cache)' })
  AUTH_CACHE_TTL_MS = 5000;
}

export const authConfig = defineConfig('auth', AuthEnvironment);
