import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { defineConfig, toBool, toInt } from './config.schema';

const DAYS = 'must be an integer number of days between 1 and 3650';

/** The daily retention job (src/modules/retention): what it deletes, when, and in what batches. */
export class RetentionEnvironment {
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
  @IsInt({ message: DAYS })
  @Min(1, { message: DAYS })
  @Max(3650, { message: DAYS })
  WEBHOOK_DELIVERY_RETENTION_DAYS = 30;

  /** Published events (already fanned out, no delivery of theirs left) older than this are deleted. */
  @Transform(toInt)
  @IsInt({ message: DAYS })
  @Min(1, { message: DAYS })
  @Max(3650, { message: DAYS })
  EVENT_RETENTION_DAYS = 30;

  /** Stored Idempotency-Key answers created longer ago than this, and expired, are deleted. */
  @Transform(toInt)
  @IsInt({ message: DAYS })
  @Min(1, { message: DAYS })
  @Max(3650, { message: DAYS })
  IDEMPOTENCY_RETENTION_DAYS = 7;

  /** Logged predictions of A/B experiments (with their outcomes) older than this are deleted. */
  @Transform(toInt)
  @IsInt({ message: DAYS })
  @Min(1, { message: DAYS })
  @Max(3650, { message: DAYS })
  PREDICTION_LOG_RETENTION_DAYS = 90;
}

export const retentionConfig = defineConfig('retention', RetentionEnvironment);
