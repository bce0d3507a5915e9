import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { FEATURE_TYPES, FeatureType, MODEL_NAME, MODEL_NAME_MESSAGE } from './registry.rules';

const TAG = /^[\w.:/-]{1,64}$/;
const TAG_MESSAGE = 'each tag must be 1-64 letters, digits or . _ : / -';

export class VersionParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;

  @ApiProperty({ example: 1, description: 'The version number' })
  @Type(() => Number)
  @IsInt({ message: 'version must be a positive integer' })
  @Min(1, { message: 'version must be a positive integer' })
  version: number;
}

export class FeatureDto {
  @ApiProperty({ example: 'tenure_months' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @ApiProperty({ enum: FEATURE_TYPES })
  @IsIn(FEATURE_TYPES, { message: `type must be one of ${FEATURE_TYPES.join(', ')}` })
  type: FeatureType;
}

export class BatchingDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 65536, description: 'Most rows merged into one run' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65536)
  maxBatchSize?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1000, description: 'Longest wait for more rows (ms)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  maxDelayMs?: number;
}

/** The JSON in the `metadata` part of a version upload. */
export class VersionMetadataDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { accuracy: 0.86, f1: 0.81 },
    description: 'Metric name -> value; the model benchmark metric is read from here',
  })
  @IsOptional()
  @IsObject()
  metrics?: Record<string, number>;

  @ApiPropertyOptional({ example: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9:_.-]{1,200}$/, { message: 'datasetHash must be 1-200 letters, digits or : _ . -' })
  datasetHash?: string;

  @ApiPropertyOptional({ example: 'run-2026-11-24-001' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9:_.-]{1,200}$/, { message: 'runId must be 1-200 letters, digits or : _ . -' })
  runId?: string;

  @ApiPropertyOptional({ example: 1, description: 'The version this one was trained from (lineage)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  parentVersion?: number;

  @ApiPropertyOptional({ type: [String], description: 'The contributions this version was trained on' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100000)
  @ArrayUnique()
  @Matches(/^[A-Za-z0-9:_.-]{1,100}$/, { each: true, message: 'each contribution id must be 1-100 characters' })
  contributionIds?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({
    type: [FeatureDto],
    description: 'The features in the order the model expects them (DESIGN §5)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @ValidateNested({ each: true })
  @Type(() => FeatureDto)
  features?: FeatureDto[];

  @ApiPropertyOptional({ type: BatchingDto, description: 'Micro-batching settings for serving this version' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BatchingDto)
  batching?: BatchingDto;
}

/** Documents the multipart body of a version upload. */
export class UploadVersionBodyDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The .onnx artifact' })
  file: unknown;

  @ApiPropertyOptional({
    type: 'string',
    description: 'JSON of VersionMetadataDto',
    example: '{"metrics":{"accuracy":0.86},"parentVersion":1,"features":[{"name":"f0","type":"float"}]}',
  })
  metadata?: string;
}

export class UpdateVersionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];
}

export class TensorSpecDto {
  @ApiProperty({ example: 'input' }) name: string;
  @ApiProperty({ example: 'float32', description: 'onnxruntime element type; non-tensor for sequences and maps' })
  type: string;
  @ApiProperty({ type: [Number], example: [-1, 16], description: '-1 for a dynamic dimension' }) shape: number[];
}

export class SignatureDto {
  @ApiProperty({ type: [TensorSpecDto] }) inputs: TensorSpecDto[];
  @ApiProperty({ type: [TensorSpecDto] }) outputs: TensorSpecDto[];
  @ApiPropertyOptional({
    type: [String],
    example: ['Add', 'MatMul', 'Softmax'],
    description: 'Operators of the main graph (`domain:op` outside the default domain)',
  })
  operators?: string[];
}

export class VersionResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ enum: ['READY'] }) status: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) metrics: Record<string, number>;
  @ApiProperty({ type: String, nullable: true }) datasetHash: string | null;
  @ApiProperty({ type: String, nullable: true }) runId: string | null;
  @ApiProperty({ type: Number, nullable: true }) parentVersion: number | null;
  @ApiProperty({ type: [String] }) contributionIds: string[];
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: [FeatureDto], nullable: true }) features: FeatureDto[] | null;
  @ApiProperty({ type: SignatureDto }) signature: SignatureDto;
  @ApiProperty({ type: BatchingDto, nullable: true }) batching: BatchingDto | null;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256: string;
  @ApiProperty({ example: 436 }) sizeBytes: number;
  @ApiProperty({ type: [String], description: 'Aliases pointing at this version' }) aliases: string[];
  @ApiProperty({ description: 'Owner of the key that uploaded it' }) createdBy: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class VersionPageDto {
  @ApiProperty({ type: [VersionResponseDto] }) items: VersionResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class LineageEntryDto {
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ type: Number, nullable: true }) parentVersion: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) metrics: Record<string, number>;
  @ApiProperty({ type: Number, nullable: true, description: 'This version’s value of the benchmark metric' })
  benchmarkValue: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Improvement of the benchmark metric over the parent, positive when better (direction-aware)',
  })
  delta: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The same delta in basis points' }) deltaBps: number | null;
  @ApiProperty({ type: String, nullable: true }) datasetHash: string | null;
  @ApiProperty({ type: [String] }) contributionIds: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
}

export class LineageResponseDto {
  @ApiProperty() modelName: string;
  @ApiProperty({ example: 'accuracy' }) benchmarkMetric: string;
  @ApiProperty({ example: 'higher_is_better' }) metricDirection: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The model’s declared baseline' })
  declaredBaseline: number | null;
  @ApiProperty({ type: [LineageEntryDto], description: 'From the asked version back to the first' })
  chain: LineageEntryDto[];
}
