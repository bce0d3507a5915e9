import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { defineConfig, toBool, toInt } from './config.schema';

/** Durable jobs (pg-boss): whether this process works them, and how often it polls. */
export class JobsEnvironment {
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  JOBS_ENABLED = true;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of milliseconds between 500 and 60000' })
  @Min(500, { message: 'must be an integer number of milliseconds between 500 and 60000' })
  @Max(60000, { message: 'must be an integer number of milliseconds between 500 and 60000' })
  JOBS_POLL_INTERVAL_MS = 1000;

  /** How often the scheduled check of running A/B experiments runs (promotion, guardrail rollback). */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer number of seconds between 5 and 3600' })
  @Min(5, { message: 'must be an integer number of seconds between 5 and 3600' })
  @Max(3600, { message: 'must be an integer number of seconds between 5 and 3600' })
  EXPERIMENT_CHECK_SECONDS = 30;
}

export const jobsConfig = defineConfig('jobs', JobsEnvironment);
