import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { PageQueryDto } from 'src/platform/http';
import { EXPERIMENT_STATUSES } from './experiments.rules';

const NAME = /^[\w .:-]{1,200}$/;
const HEADER = /^[A-Za-z0-9-]{1,100}$/;

export class VariantDto {
  @ApiProperty({ example: 'control', description: 'Unique within the experiment: `^[\\w.-]{1,50}$`' })
  @Matches(/^[\w.-]{1,50}$/, { message: 'name must match ^[\\w.-]{1,50}$' })
  name: string;

  @ApiPropertyOptional({ example: 3, description: 'The version it serves (give version or alias, not both)' })
  @IsOptional()
  @IsInt({ message: 'version must be a positive integer' })
  @Min(1, { message: 'version must be a positive integer' })
  version?: number;

  @ApiPropertyOptional({ example: 'production', description: 'Serve the version this alias points at when created' })
  @IsOptional()
  @Matches(/^[\w-]{1,256}$/, { message: 'alias must match ^[\\w-]{1,256}$' })
  alias?: string;

  @ApiProperty({ example: 50, description: 'Relative share of traffic (>= 0; the weights need not sum to 100)' })
  @IsNumber({}, { message: 'weight must be a number' })
  @Min(0, { message: 'weight must be at least 0' })
  @Max(1_000_000, { message: 'weight must be at most 1000000' })
  weight: number;
}

export class ShadowDto {
  @ApiProperty({ example: 4, description: 'The version that also runs, answer never returned' })
  @IsInt({ message: 'version must be a positive integer' })
  @Min(1, { message: 'version must be a positive integer' })
  version: number;

  @ApiProperty({ example: 10, description: 'Share of routed requests also run on it, 0..100' })
  @IsNumber({}, { message: 'percent must be a number' })
  @Min(0, { message: 'percent must be between 0 and 100' })
  @Max(100, { message: 'percent must be between 0 and 100' })
  percent: number;
}

export class PrimaryMetricDto {
  @ApiProperty({ example: 'conversion' })
  @Matches(/^[\w.-]{1,100}$/, { message: 'name must match ^[\\w.-]{1,100}$' })
  name: string;

  @ApiProperty({ enum: ['proportion', 'continuous'] })
  @IsIn(['proportion', 'continuous'], { message: 'kind must be proportion or continuous' })
  kind: 'proportion' | 'continuous';

  @ApiProperty({ enum: ['increase', 'decrease'], description: 'Which way is better' })
  @IsIn(['increase', 'decrease'], { message: 'direction must be increase or decrease' })
  direction: 'increase' | 'decrease';
}

export class GuardrailDto {
  @ApiProperty({ enum: ['error_rate', 'latency_p95_ms'] })
  @IsIn(['error_rate', 'latency_p95_ms'], { message: 'metric must be error_rate or latency_p95_ms' })
  metric: 'error_rate' | 'latency_p95_ms';

  @ApiProperty({ example: 0.02 })
  @IsNumber({}, { message: 'max must be a number' })
  @Min(0, { message: 'max must be at least 0' })
  max: number;
}

export class CreateExperimentDto {
  @ApiProperty({ example: 'churn v4 vs v3' })
  @Matches(NAME, { message: 'name must be 1-200 letters, digits, spaces or _ . : -' })
  name: string;

  @ApiProperty({ example: 'churn', description: 'The model whose traffic is split' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  model: string;

  @ApiProperty({ type: [VariantDto], description: 'Two to ten; the first is the control' })
  @IsArray({ message: 'variants must be an array' })
  @ArrayMinSize(2, { message: 'variants must have at least 2 entries' })
  @ArrayMaxSize(10, { message: 'variants must have at most 10 entries' })
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  variants: VariantDto[];

  @ApiPropertyOptional({ type: ShadowDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ShadowDto)
  shadow?: ShadowDto;

  @ApiPropertyOptional({ example: 'X-User-Id', description: 'The header naming the unit (default X-User-Id)' })
  @IsOptional()
  @Matches(HEADER, { message: 'unitHeader must be a header name (letters, digits, -)' })
  unitHeader?: string;

  @ApiProperty({ type: PrimaryMetricDto })
  @ValidateNested()
  @Type(() => PrimaryMetricDto)
  primaryMetric: PrimaryMetricDto;

  @ApiProperty({ example: 0.02, description: 'The smallest effect worth finding (absolute, in metric units)' })
  @IsNumber({}, { message: 'minimumDetectableEffect must be a number' })
  @Min(Number.MIN_VALUE, { message: 'minimumDetectableEffect must be greater than 0' })
  minimumDetectableEffect: number;

  @ApiPropertyOptional({ type: [GuardrailDto] })
  @IsOptional()
  @IsArray({ message: 'guardrails must be an array' })
  @ArrayMaxSize(10, { message: 'guardrails must have at most 10 entries' })
  @ValidateNested({ each: true })
  @Type(() => GuardrailDto)
  guardrails?: GuardrailDto[];

  @ApiProperty({ example: 1000 })
  @IsInt({ message: 'minSamplesPerVariant must be a positive integer' })
  @Min(1, { message: 'minSamplesPerVariant must be a positive integer' })
  minSamplesPerVariant: number;

  @ApiPropertyOptional({ example: 0.05, description: 'Default 0.05' })
  @IsOptional()
  @IsNumber({}, { message: 'alpha must be a number' })
  @Min(0.0001, { message: 'alpha must be between 0.0001 and 0.5' })
  @Max(0.5, { message: 'alpha must be between 0.0001 and 0.5' })
  alpha?: number;

  @ApiPropertyOptional({ example: false, description: 'Promote a winner by itself (default false)' })
  @IsOptional()
  @IsBoolean({ message: 'autoPromote must be a boolean' })
  autoPromote?: boolean;
}

export class WeightDto {
  @ApiProperty({ example: 'treatment' })
  @IsString({ message: 'name must be a string' })
  name: string;

  @ApiProperty({ example: 60 })
  @IsNumber({}, { message: 'weight must be a number' })
  @Min(0, { message: 'weight must be at least 0' })
  @Max(1_000_000, { message: 'weight must be at most 1000000' })
  weight: number;
}

export class UpdateWeightsDto {
  @ApiProperty({ type: [WeightDto], description: 'Every variant, by name, with its new weight' })
  @IsArray({ message: 'variants must be an array' })
  @ArrayMinSize(1, { message: 'variants must not be empty' })
  @ArrayMaxSize(10, { message: 'variants must have at most 10 entries' })
  @ValidateNested({ each: true })
  @Type(() => WeightDto)
  variants: WeightDto[];
}

export class ExperimentIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class ExperimentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EXPERIMENT_STATUSES })
  @IsOptional()
  @IsIn(EXPERIMENT_STATUSES, { message: `status must be one of ${EXPERIMENT_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ example: 'churn' })
  @IsOptional()
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  model?: string;
}

export class VariantResponseDto {
  @ApiProperty({ example: 'control' }) name: string;
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty({ type: String, nullable: true, example: 'production' }) alias: string | null;
  @ApiProperty({ example: 50 }) weight: number;
  @ApiProperty({ example: 5000, description: 'Buckets (of 10,000) it owns now' }) buckets: number;
  @ApiProperty({ description: 'The first variant is the control' }) control: boolean;
}

export class ExperimentResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn v4 vs v3' }) name: string;
  @ApiProperty({ example: 'churn' }) model: string;
  @ApiProperty({ example: 'alice' }) owner: string;
  @ApiProperty({ enum: EXPERIMENT_STATUSES }) status: string;
  @ApiProperty({ type: [VariantResponseDto] }) variants: VariantResponseDto[];
  @ApiProperty({ type: ShadowDto, nullable: true }) shadow: ShadowDto | null;
  @ApiProperty({ example: 'X-User-Id' }) unitHeader: string;
  @ApiProperty({ type: PrimaryMetricDto }) primaryMetric: PrimaryMetricDto;
  @ApiProperty({ example: 0.02 }) minimumDetectableEffect: number;
  @ApiProperty({ type: [GuardrailDto] }) guardrails: GuardrailDto[];
  @ApiProperty({ example: 1000 }) minSamplesPerVariant: number;
  @ApiProperty({ example: 0.05 }) alpha: number;
  @ApiProperty() autoPromote: boolean;
  @ApiProperty() createdBy: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endedAt: string | null;
}

export class ExperimentPageDto {
  @ApiProperty({ type: [ExperimentResponseDto] }) items: ExperimentResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class VariantResultsDto {
  @ApiProperty({ example: 'treatment' }) name: string;
  @ApiProperty({ example: 4 }) version: number;
  @ApiProperty({ example: 50 }) weight: number;
  @ApiProperty({ description: 'Distinct units served (random assignments left out)' }) units: number;
  @ApiProperty() predictions: number;
  @ApiProperty({ description: 'Predictions assigned at random (no unit named)' }) randomPredictions: number;
  @ApiProperty() errors: number;
  @ApiProperty({ description: 'Outcomes reported' }) outcomes: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      "The always-valid p-value's running minimum stored by the scheduled check's last look (null for the control and before the first); passed to the statistics as previousPValue",
  })
  previousPValue: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "p50, p95, p99 in ms over the variant's share of the experiment's latest 20,000 predictions (null before any)",
  })
  latencyMs: Record<string, number | null>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The statistics: summary (metric with interval), comparison (lift over control with interval), fixedHorizon (p-value, valid only at the planned sample size), alwaysValid (mSPRT), guardrails, decision, reasons',
  })
  statistics: Record<string, unknown>;
}

export class ExperimentResultsDto {
  @ApiProperty({ format: 'uuid' }) experimentId: string;
  @ApiProperty({ enum: EXPERIMENT_STATUSES }) status: string;
  @ApiProperty({ enum: ['continue', 'winner', 'loser', 'inconclusive'], description: 'From always-valid inference' })
  decision: string;
  @ApiProperty({ type: String, nullable: true }) winner: string | null;
  @ApiProperty({ description: 'A winner with its minimum samples, no guardrail breach and no sample-ratio mismatch' })
  promotable: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  reasons: Record<string, unknown>[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Chi-square of units against the weights; mismatch below p = 0.001 (blocks promotion)',
  })
  sampleRatio: Record<string, unknown>;
  @ApiProperty({
    example: 'valid only at the planned sample size',
    description: 'What the fixed-horizon p-values mean',
  })
  fixedHorizonNote: string;
  @ApiProperty({ type: [VariantResultsDto] }) variants: VariantResultsDto[];
}
