import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { defineConfig, emptyToUndefined, Secret, toBool, toInt, toNumber } from './config.schema';

const optionalBool = (p: { value: unknown }): unknown => (emptyToUndefined(p) === undefined ? undefined : toBool(p));

/** The webhook targets this server may deliver to: the variables when set, else open only in development. */
export function webhookTargets(config: {
  NODE_ENV: string;
  WEBHOOK_ALLOW_HTTP?: boolean;
  WEBHOOK_ALLOW_PRIVATE?: boolean;
}): { allowHttp: boolean; allowPrivate: boolean } {
  const development = config.NODE_ENV === 'development';
  return {
    allowHttp: config.WEBHOOK_ALLOW_HTTP ?? development,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE ?? development,
  };
}

/** Webhook delivery: allowed targets, timeouts, retries, breaker, workers and the key of secrets at rest. */
export class WebhooksEnvironment {
  /**
   * Allow `http://` endpoint URLs; otherwise only `https://`. Unset: allowed when NODE_ENV=development (a local
   * receiver on the developer's machine), refused otherwise (see `webhookTargets`).
   */
  @Transform(optionalBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  WEBHOOK_ALLOW_HTTP?: boolean;

  /**
   * Allow deliveries to loopback, private, link-local, CGNAT, unique-local and other non-public addresses. Unset:
   * allowed when NODE_ENV=development, refused otherwise.
   */
  @Transform(optionalBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  WEBHOOK_ALLOW_PRIVATE?: boolean;

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
  @Secret()
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes as 64 hex digits or base64' })
  WEBHOOK_SECRET_KEY?: string;

  @IsString()
  @MinLength(1)
  WEBHOOK_SECRET_KEY_FILE = '.data/webhook-secret.key';
}

export const webhooksConfig = defineConfig('webhooks', WebhooksEnvironment, (env) =>
  env.WEBHOOK_LEASE_SECONDS * 1000 <= env.WEBHOOK_TIMEOUT_MS
    ? [
        `WEBHOOK_LEASE_SECONDS must be longer than WEBHOOK_TIMEOUT_MS (got ${env.WEBHOOK_LEASE_SECONDS} s and ${env.WEBHOOK_TIMEOUT_MS} ms)`,
      ]
    : [],
);
