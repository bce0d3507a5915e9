import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

// Strings that are not plain base-10 integers stay strings so that @IsInt reports them instead of a NaN.
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the server reads, with its default. `.env.example` mirrors this class;
 * a test keeps the two in step.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number between 0 and 65535' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535' })
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @IsIn(['debug', 'info', 'warn', 'error'], { message: 'must be one of debug, info, warn, error' })
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  LOG_HTTP_REQUESTS = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 200' })
  @Min(1, { message: 'must be an integer between 1 and 200' })
  @Max(200, { message: 'must be an integer between 1 and 200' })
  DATABASE_POOL_SIZE = 10;

  @IsString()
  @MinLength(1)
  EMBEDDED_PG_DIR = '.data/pg';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number between 1 and 65535' })
  @Min(1, { message: 'must be an integer port number between 1 and 65535' })
  @Max(65535, { message: 'must be an integer port number between 1 and 65535' })
  EMBEDDED_PG_PORT = 54329;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

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

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of bytes between 1024 and 1073741824' })
  @Min(1024, { message: 'must be an integer number of bytes between 1024 and 1073741824' })
  @Max(1073741824, { message: 'must be an integer number of bytes between 1024 and 1073741824' })
  BODY_LIMIT_BYTES = 1048576;

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

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  TRUST_PROXY = false;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  CACHE_TTL_MS = 300000;

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  JOBS_ENABLED = true;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds between 500 and 60000' })
  @Min(500, { message: 'must be an integer number of milliseconds between 500 and 60000' })
  @Max(60000, { message: 'must be an integer number of milliseconds between 500 and 60000' })
  JOBS_POLL_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  SHUTDOWN_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of hours between 1 and 720' })
  @Min(1, { message: 'must be an integer number of hours between 1 and 720' })
  @Max(720, { message: 'must be an integer number of hours between 1 and 720' })
  IDEMPOTENCY_TTL_HOURS = 24;

  // --- inference ---

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of megabytes' })
  @Min(1, { message: 'must be a positive integer number of megabytes' })
  MODEL_CACHE_MB = 1024;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  INFERENCE_TIMEOUT_MS = 1000;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  MAX_ROWS_PER_REQUEST = 10000;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of bytes of at least 1024' })
  @Min(1024, { message: 'must be an integer number of bytes of at least 1024' })
  LARGE_BODY_LIMIT_BYTES = 67108864;

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  BATCHING_ENABLED = true;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 65536' })
  @Min(1, { message: 'must be an integer between 1 and 65536' })
  @Max(65536, { message: 'must be an integer between 1 and 65536' })
  BATCH_MAX_SIZE = 64;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds between 0 and 1000' })
  @Min(0, { message: 'must be an integer number of milliseconds between 0 and 1000' })
  @Max(1000, { message: 'must be an integer number of milliseconds between 0 and 1000' })
  BATCH_MAX_DELAY_MS = 2;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 64' })
  @Min(1, { message: 'must be an integer between 1 and 64' })
  @Max(64, { message: 'must be an integer between 1 and 64' })
  INFERENCE_THREADS = 1;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds (0 disables the result cache)' })
  @Min(0, { message: 'must be an integer number of milliseconds (0 disables the result cache)' })
  RESULT_CACHE_TTL_MS = 300000;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  RESULT_CACHE_MAX_ENTRIES = 10000;

  @Transform(toInt)
  @IsInt({ message: 'must be a non-negative integer number of bytes' })
  @Min(0, { message: 'must be a non-negative integer number of bytes' })
  RESULT_CACHE_MAX_BYTES = 65536;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds between 100 and 60000' })
  @Min(100, { message: 'must be an integer number of milliseconds between 100 and 60000' })
  @Max(60000, { message: 'must be an integer number of milliseconds between 100 and 60000' })
  ALIAS_REFRESH_MS = 1000;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(error: ValidationError): string[] {
  const shown = error.property === 'ADMIN_API_KEY' ? '<hidden>' : JSON.stringify(error.value);
  const messages = new Set(
    Object.values(error.constraints ?? {}).map((msg) =>
      msg.startsWith(error.property) ? msg.slice(error.property.length).trim() : msg,
    ),
  );
  return [...messages].map((text) => `${error.property} ${text} (got ${shown})`);
}

/** The names of every variable the server reads (every validated property of EnvironmentVariables). */
export function environmentVariableNames(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

/** Validates raw variables (normally `process.env`) and returns typed values with defaults applied. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const known = environmentVariableNames();
  const picked: Record<string, unknown> = {};
  for (const key of known) if (raw[key] !== undefined) picked[key] = raw[key];
  const env = plainToInstance(EnvironmentVariables, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigValidationError(errors.flatMap(describe));
  return env;
}

let cached: EnvironmentVariables | undefined;

/**
 * The one place that reads `process.env`. A `.env` file in the working directory is loaded first;
 * variables already set in the environment win over it.
 */
export function loadEnvironment(): EnvironmentVariables {
  if (cached) return cached;
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  cached = validateEnvironment(process.env);
  return cached;
}

/** For tests that change the environment between app instances. */
export function resetEnvironmentCache(): void {
  cached = undefined;
}
