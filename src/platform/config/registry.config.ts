import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { defineConfig, emptyToUndefined, Secret, toBool, toInt } from './config.schema';

/** Model artifacts: local directory or an S3-compatible bucket, and the upload size limit. */
export class RegistryEnvironment {
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
  @ValidateIf((env: RegistryEnvironment) => env.ARTIFACT_STORAGE === 's3' || env.S3_BUCKET !== undefined)
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

  @Secret()
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

export const registryConfig = defineConfig('registry', RegistryEnvironment);
