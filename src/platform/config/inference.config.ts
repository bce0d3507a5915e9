import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, Max, Min } from 'class-validator';
import { defineConfig, toBool, toInt, toNumber } from './config.schema';

/** Model runs: memory budget, timeouts, micro-batching, workers, the result cache and alias refresh. */
export class InferenceEnvironment {
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
}

export const inferenceConfig = defineConfig('inference', InferenceEnvironment);
