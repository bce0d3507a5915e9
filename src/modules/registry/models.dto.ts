import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from 'src/platform/http';
import {
  BENCHMARK_METRICS,
  BenchmarkMetric,
  LABEL_KINDS,
  LabelKind,
  METRIC_DIRECTIONS,
  MetricDirection,
  MODEL_NAME,
  MODEL_NAME_MESSAGE,
  MODEL_VISIBILITIES,
  ModelVisibility,
  TOKEN_ID,
  TOKEN_ID_MESSAGE,
} from './registry.rules';

const TAG = /^[\w.:/-]{1,64}$/;
const TAG_MESSAGE = 'each tag must be 1-64 letters, digits or . _ : / -';
const upper = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.toUpperCase() : value);

export class ModelNameParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class CreateModelDto {
  @ApiProperty({ example: 'churn', description: 'Unique slug: lower-case letters, digits, - and _' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({ example: 'Predicts customer churn from 16 account features' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ example: 'CHURN', description: 'Letters, digits and inner hyphens, at most 64; stored upper-case' })
  @IsString({ message: TOKEN_ID_MESSAGE })
  @Matches(TOKEN_ID, { message: TOKEN_ID_MESSAGE })
  @Transform(upper)
  tokenId: string;

  @ApiProperty({ enum: BENCHMARK_METRICS })
  @IsIn(BENCHMARK_METRICS, { message: `benchmarkMetric must be one of ${BENCHMARK_METRICS.join(', ')}` })
  benchmarkMetric: BenchmarkMetric;

  @ApiPropertyOptional({ enum: METRIC_DIRECTIONS, description: 'Defaults from the metric (rmse, mae, logloss: lower)' })
  @IsOptional()
  @IsIn(METRIC_DIRECTIONS)
  metricDirection?: MetricDirection;

  @ApiPropertyOptional({ example: 0.84, description: 'The declared baseline value of the benchmark metric' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  benchmarkValue?: number;

  @ApiPropertyOptional({ example: 'churned', description: 'The column holding the label (DESIGN §5)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  labelColumn?: string;

  @ApiPropertyOptional({ enum: LABEL_KINDS, description: 'classes (classification) or numeric (regression)' })
  @IsOptional()
  @IsIn(LABEL_KINDS)
  labelKind?: LabelKind;

  @ApiPropertyOptional({ type: [String], example: ['tabular', 'churn'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({
    enum: MODEL_VISIBILITIES,
    default: 'public',
    description: 'public: every key with models:read sees it; private: only its owner and admins',
  })
  @IsOptional()
  @IsIn(MODEL_VISIBILITIES)
  visibility?: ModelVisibility;
}

export class UpdateModelDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  benchmarkValue?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  labelColumn?: string;

  @ApiPropertyOptional({ enum: LABEL_KINDS })
  @IsOptional()
  @IsIn(LABEL_KINDS)
  labelKind?: LabelKind;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({ enum: MODEL_VISIBILITIES })
  @IsOptional()
  @IsIn(MODEL_VISIBILITIES)
  visibility?: ModelVisibility;
}

export class ListModelsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the model of this token id (any case)' })
  @IsOptional()
  @Matches(TOKEN_ID, { message: TOKEN_ID_MESSAGE })
  @Transform(upper)
  tokenId?: string;

  @ApiPropertyOptional({ description: 'Only models with this tag' })
  @IsOptional()
  @Matches(TAG, { message: 'tag must be 1-64 letters, digits or . _ : / -' })
  tag?: string;

  @ApiPropertyOptional({ description: 'Text to find in the name or the description (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Only models of this owner' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  owner?: string;

  @ApiPropertyOptional({ enum: ['active', 'archived', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'archived', 'all'])
  status?: 'active' | 'archived' | 'all';
}

export class DeleteModelQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Archive even while `production` is set (admin only)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  force?: boolean;
}

export class AliasPointerDto {
  @ApiProperty({ example: 'production' }) alias: string;
  @ApiProperty({ example: 1 }) version: number;
}

export class ModelResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 'CHURN' }) tokenId: string;
  @ApiProperty({ enum: BENCHMARK_METRICS }) benchmarkMetric: string;
  @ApiProperty({ enum: METRIC_DIRECTIONS }) metricDirection: string;
  @ApiProperty({ type: Number, nullable: true }) benchmarkValue: number | null;
  @ApiProperty({ type: String, nullable: true }) labelColumn: string | null;
  @ApiProperty({ enum: LABEL_KINDS, nullable: true }) labelKind: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ enum: MODEL_VISIBILITIES }) visibility: string;
  @ApiProperty() owner: string;
  @ApiProperty({ enum: ['active', 'archived'] }) status: string;
  @ApiProperty({ description: 'Highest version number (0 before the first upload)' }) latestVersion: number;
  @ApiProperty({ type: [AliasPointerDto] }) aliases: AliasPointerDto[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archivedAt: string | null;
}

export class ModelPageDto {
  @ApiProperty({ type: [ModelResponseDto] }) items: ModelResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
