import { Transform } from 'class-transformer';
import { IsIn, IsInt, Min } from 'class-validator';
import { defineConfig, toInt } from './config.schema';

/** The process: environment kind, log level, shutdown. */
export class AppEnvironment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsIn(['debug', 'info', 'warn', 'error'], { message: 'must be one of debug, info, warn, error' })
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer number of milliseconds' })
  @Min(1, { message: 'must be a positive integer number of milliseconds' })
  SHUTDOWN_TIMEOUT_MS = 10000;
}

export const appConfig = defineConfig('app', AppEnvironment);
