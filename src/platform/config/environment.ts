import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
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

// Decimal numbers (for fractions and durations that tests compress); anything else stays a string for @IsNumber.
const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;

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

  /**
   * The client address is X-Forwarded-For's first entry when true, the socket's otherwise. Only behind a proxy that
   * overwrites the header: else any client picks its own address, and a fresh anonymous rate-limit bucket.
   */
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

  /**
   * A key still in progress after this long is taken to belong to a process that died: a retry of the same
   * request takes it over (and the route answers from what was stored).
   */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of seconds between 1 and 86400' })
  @Min(1, { message: 'must be an integer number of seconds between 1 and 86400' })
  @Max(86400, { message: 'must be an integer number of seconds between 1 and 86400' })
  IDEMPOTENCY_LEASE_SECONDS = 120;

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
  @IsInt({ message: 'must be an integer between 1 and 64' })
  @Min(1, { message: 'must be an integer between 1 and 64' })
  @Max(64, { message: 'must be an integer between 1 and 64' })
  INFERENCE_WORKERS = 1;

  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a number of MB, 0 or more (0: never on the main thread)' })
  @Min(0, { message: 'must be a number of MB, 0 or more (0: never on the main thread)' })
  INFERENCE_INLINE_LIMIT_MB = 1;

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

  // --- Webhooks (src/modules/webhooks) ---

  /** Allow `http://` endpoint URLs (local development and tests); otherwise only `https://`. */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  WEBHOOK_ALLOW_HTTP = false;

  /** Allow deliveries to loopback, private, link-local, CGNAT, unique-local and other non-public addresses. */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  WEBHOOK_ALLOW_PRIVATE = false;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds between 100 and 120000' })
  @Min(100, { message: 'must be an integer number of milliseconds between 100 and 120000' })
  @Max(120000, { message: 'must be an integer number of milliseconds between 100 and 120000' })
  WEBHOOK_TIMEOUT_MS = 15000;

  /** Delay in seconds before each attempt: the first entry before the first attempt, then after each failure. */
  @Matches(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?){0,49}\s*$/, {
    message: 'must be a comma-separated list of 1 to 50 delays in seconds, such as 0,5,300,1800',
  })
  WEBHOOK_RETRY_SCHEDULE = '0,5,300,1800,7200,18000,36000,36000';

  /** Each retry delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a number between 0 and 1' })
  @Min(0, { message: 'must be a number between 0 and 1' })
  @Max(1, { message: 'must be a number between 0 and 1' })
  WEBHOOK_JITTER = 0.2;

  /** After a secret rotation, deliveries are signed with the old and the new secret for this long. */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a number of hours between 0 and 720' })
  @Min(0, { message: 'must be a number of hours between 0 and 720' })
  @Max(720, { message: 'must be a number of hours between 0 and 720' })
  WEBHOOK_SECRET_ROTATION_HOURS = 24;

  /** An endpoint that has failed without a single success for this long is disabled. */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a positive number of days (at most 365)' })
  @Min(0.000001, { message: 'must be a positive number of days (at most 365)' })
  @Max(365, { message: 'must be a positive number of days (at most 365)' })
  WEBHOOK_DISABLE_AFTER_DAYS = 5;

  /** Consecutive failed attempts that open an endpoint's circuit breaker. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 1000' })
  @Min(1, { message: 'must be an integer between 1 and 1000' })
  @Max(1000, { message: 'must be an integer between 1 and 1000' })
  WEBHOOK_BREAKER_THRESHOLD = 5;

  /** Delay before the first half-open probe of an open breaker; it doubles after each failed probe. */
  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  WEBHOOK_BREAKER_OPEN_MS = 30000;

  /** The longest delay between half-open probes. */
  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  WEBHOOK_BREAKER_MAX_OPEN_MS = 1800000;

  /** Run the dispatcher and delivery workers in this process (false: this replica serves the API only). */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  WEBHOOK_WORKERS_ENABLED = true;

  /** Deliveries in flight at once in this process. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 1000' })
  @Min(1, { message: 'must be an integer between 1 and 1000' })
  @Max(1000, { message: 'must be an integer between 1 and 1000' })
  WEBHOOK_CONCURRENCY = 64;

  /** How often idle workers look for new events and due deliveries. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds between 10 and 60000' })
  @Min(10, { message: 'must be an integer number of milliseconds between 10 and 60000' })
  @Max(60000, { message: 'must be an integer number of milliseconds between 10 and 60000' })
  WEBHOOK_POLL_INTERVAL_MS = 250;

  /** How long a claimed delivery stays leased to its worker; after that another worker may take it over. */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a number of seconds between 0.1 and 3600, longer than WEBHOOK_TIMEOUT_MS' })
  @Min(0.1, { message: 'must be a number of seconds between 0.1 and 3600, longer than WEBHOOK_TIMEOUT_MS' })
  @Max(3600, { message: 'must be a number of seconds between 0.1 and 3600, longer than WEBHOOK_TIMEOUT_MS' })
  WEBHOOK_LEASE_SECONDS = 60;

  /**
   * Key that encrypts endpoint secrets at rest (AES-256-GCM): 32 bytes as 64 hex digits or base64. When unset,
   * a key is generated once into WEBHOOK_SECRET_KEY_FILE and reused.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes as 64 hex digits or base64' })
  WEBHOOK_SECRET_KEY?: string;

  @IsString()
  @MinLength(1)
  WEBHOOK_SECRET_KEY_FILE = '.data/webhook-secret.key';

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

  // --- contributions ---

  /** Largest file a multipart contribution may carry (MB); larger: 413 UPLOAD_TOO_LARGE. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of megabytes between 1 and 1000' })
  @Min(1, { message: 'must be an integer number of megabytes between 1 and 1000' })
  @Max(1000, { message: 'must be an integer number of megabytes between 1 and 1000' })
  MAX_CONTRIBUTION_MB = 50;

  /**
   * Secret of the HMAC-SHA256 pseudonyms that replace PII when a model's policy is `pseudonymize`. The server
   * refuses to start without it while a model has that policy.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters long' })
  CONTRIBUTION_PSEUDONYM_SECRET?: string;

  // --- retention (src/modules/retention) ---

  /** Schedule the daily retention run (one run a day across replicas, at RETENTION_HOUR_UTC). */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  RETENTION_ENABLED = true;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer hour between 0 and 23' })
  @Min(0, { message: 'must be an integer hour between 0 and 23' })
  @Max(23, { message: 'must be an integer hour between 0 and 23' })
  RETENTION_HOUR_UTC = 3;

  /** Rows deleted per statement (and per short transaction), so a run never holds long locks. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 100000' })
  @Min(1, { message: 'must be an integer between 1 and 100000' })
  @Max(100000, { message: 'must be an integer between 1 and 100000' })
  RETENTION_BATCH_SIZE = 1000;

  /** Delivered and failed webhook deliveries (with their attempts) older than this are deleted. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of days between 1 and 3650' })
  @Min(1, { message: 'must be an integer number of days between 1 and 3650' })
  @Max(3650, { message: 'must be an integer number of days between 1 and 3650' })
  WEBHOOK_DELIVERY_RETENTION_DAYS = 30;

  /** Published events (already fanned out, no delivery of theirs left) older than this are deleted. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of days between 1 and 3650' })
  @Min(1, { message: 'must be an integer number of days between 1 and 3650' })
  @Max(3650, { message: 'must be an integer number of days between 1 and 3650' })
  EVENT_RETENTION_DAYS = 30;

  /** Stored Idempotency-Key answers created longer ago than this, and expired, are deleted. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of days between 1 and 3650' })
  @Min(1, { message: 'must be an integer number of days between 1 and 3650' })
  @Max(3650, { message: 'must be an integer number of days between 1 and 3650' })
  IDEMPOTENCY_RETENTION_DAYS = 7;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

const SECRET_VARIABLES = [
  'ADMIN_API_KEY',
  'WEBHOOK_SECRET_KEY',
  'S3_SECRET_ACCESS_KEY',
  'CONTRIBUTION_PSEUDONYM_SECRET',
];

function describe(error: ValidationError): string[] {
  const shown = SECRET_VARIABLES.includes(error.property) ? '<hidden>' : JSON.stringify(error.value);
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
  const problems = errors.flatMap(describe);
  if (env.WEBHOOK_LEASE_SECONDS * 1000 <= env.WEBHOOK_TIMEOUT_MS && problems.length === 0) {
    problems.push(
      `WEBHOOK_LEASE_SECONDS must be longer than WEBHOOK_TIMEOUT_MS (got ${env.WEBHOOK_LEASE_SECONDS} s and ${env.WEBHOOK_TIMEOUT_MS} ms)`,
    );
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
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
