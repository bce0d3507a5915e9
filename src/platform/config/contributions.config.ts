import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { defineConfig, emptyToUndefined, Secret, toInt } from './config.schema';

/** Data contributions: upload size and the secret of PII pseudonyms. */
export class ContributionsEnvironment {
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
  @Secret()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters long' })
  CONTRIBUTION_PSEUDONYM_SECRET?: string;
}

export const contributionsConfig = defineConfig('contributions', ContributionsEnvironment);
