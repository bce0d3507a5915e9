import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { defineConfig, toBool, toInt } from './config.schema';

/** The HTTP server: where it listens, body limits, proxies, request logs, Idempotency-Key. */
export class HttpEnvironment {
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number between 0 and 65535' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535' })
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  /**
   * Server processes on the one port: 1 (default) runs one; N > 1 or `auto` (one per core) runs a primary that owns
   * the embedded PostgreSQL and chain and N full replicas that share the port (node:cluster).
   */
  @IsString()
  @Matches(/^(auto|[1-9]|[1-5][0-9]|6[0-4])$/, { message: 'must be auto or an integer between 1 and 64' })
  WEB_CONCURRENCY = '1';

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  LOG_HTTP_REQUESTS = true;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of bytes between 1024 and 1073741824' })
  @Min(1024, { message: 'must be an integer number of bytes between 1024 and 1073741824' })
  @Max(1073741824, { message: 'must be an integer number of bytes between 1024 and 1073741824' })
  BODY_LIMIT_BYTES = 1048576;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of bytes of at least 1024' })
  @Min(1024, { message: 'must be an integer number of bytes of at least 1024' })
  LARGE_BODY_LIMIT_BYTES = 67108864;

  /**
   * The client address is X-Forwarded-For's first entry when true, the socket's otherwise. Only behind a proxy that
   * overwrites the header: else any client picks its own address, and a fresh anonymous rate-limit bucket.
   */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  TRUST_PROXY = false;

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
}

export const httpConfig = defineConfig('http', HttpEnvironment);
