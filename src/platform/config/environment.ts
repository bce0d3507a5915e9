import { plainToInstance, Transform } from 'class-transformer';
import {
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
  ValidateIf,
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

  // --- registry ---

  /** Model artifacts (content-addressed by sha256), upload temp files and the local cache of S3 artifacts. */
  @IsString()
  @MinLength(1, { message: 'must be a directory path' })
  ARTIFACT_DIR = '.data/artifacts';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of megabytes between 1 and 5000' })
  @Min(1, { message: 'must be an integer number of megabytes between 1 and 5000' })
  @Max(5000, { message: 'must be an integer number of megabytes between 1 and 5000' })
  MAX_ARTIFACT_MB = 500;

  @IsIn(['local', 's3'], { message: 'must be local or s3' })
  ARTIFACT_STORAGE: 'local' | 's3' = 'local';

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.ARTIFACT_STORAGE === 's3' || env.S3_BUCKET !== undefined)
  @IsString({ message: 'must be set to a bucket name when ARTIFACT_STORAGE=s3' })
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message: 'must be a valid S3 bucket name (3-63 characters, lower case)',
  })
  S3_BUCKET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http:// or https:// URL' })
  S3_ENDPOINT?: string;

  @IsString()
  @MinLength(1, { message: 'must be an AWS region name' })
  S3_REGION = 'us-east-1';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  S3_FORCE_PATH_STYLE = false;

  @IsString()
  @Matches(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { message: "must be empty or a key prefix ending in '/'" })
  S3_PREFIX = 'artifacts/';
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

const SECRETS = ['ADMIN_API_KEY', 'S3_SECRET_ACCESS_KEY'];

function describe(error: ValidationError): string[] {
  const shown = SECRETS.includes(error.property) ? '<hidden>' : JSON.stringify(error.value);
  return Object.values(error.constraints ?? {}).map((msg) => {
    const text = msg.startsWith(error.property) ? msg.slice(error.property.length).trim() : msg;
    return `${error.property} ${text} (got ${shown})`;
  });
}

/** Validates raw variables (normally `process.env`) and returns typed values with defaults applied. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables()).concat([
    'DATABASE_URL',
    'REDIS_URL',
    'ADMIN_API_KEY',
    'S3_BUCKET',
    'S3_ENDPOINT',
    'S3_ACCESS_KEY_ID',
    'S3_SECRET_ACCESS_KEY',
  ]);
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
