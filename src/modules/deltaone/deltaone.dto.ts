import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { DECISION_REASONS, DecisionReason } from './domain/decision';
import { EVALUATION_STATUSES, EvaluationEntity, EvaluationStatus } from './evaluation.entity';
import type { DeltaOneSettingsView } from './deltaone-settings.service';
import type { EvaluationView } from './evaluations.service';

export class ModelParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class StartEvaluationDto {
  @ApiProperty({ example: 3, minimum: 1, description: 'The version to evaluate' })
  @IsInt()
  @Min(1)
  candidateVersion: number;

  @ApiPropertyOptional({ example: 2, minimum: 1, description: 'The version to beat (default: production)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  baselineVersion?: number;

  @ApiPropertyOptional({ format: 'uuid', description: "A benchmark of the model (default: the model's active one)" })
  @IsOptional()
  @IsUUID('all', { message: 'benchmarkId must be a UUID' })
  benchmarkId?: string;
}

export class EvaluationAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: EVALUATION_STATUSES }) status: EvaluationStatus;
  @ApiProperty({ example: '/api/v1/evaluations/0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b' }) statusUrl: string;
  @ApiProperty({ format: 'uuid', description: 'The durable job (GET /api/v1/jobs/{id})' }) jobId: string;
}

export class VersionMetricDto {
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ example: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184' }) sha256: string;
  @ApiProperty({ nullable: true, type: Number, example: 8120, description: 'Computed on the benchmark, in bps' })
  metricBps: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { accuracy: 0.83 },
    description: 'The metrics declared when the version was registered: shown, never used',
  })
  declaredMetrics: Record<string, number>;
}

export class EvaluationResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn' }) model: string;
  @ApiProperty({ enum: EVALUATION_STATUSES }) status: EvaluationStatus;
  @ApiProperty({ format: 'uuid' }) benchmarkId: string;
  @ApiProperty({ example: 'sha256:9f2c0d1e5a3b4c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f' })
  benchmarkHash: string;
  @ApiProperty({ example: 'accuracy' }) metric: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) direction: string;
  @ApiProperty({ type: VersionMetricDto }) baseline: VersionMetricDto;
  @ApiProperty({ type: VersionMetricDto }) candidate: VersionMetricDto;
  @ApiProperty({ nullable: true, type: Number, example: 1000, description: 'Benchmark rows both versions scored' })
  n: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 130, description: 'Improvement in bps, direction-aware' })
  deltaBps: number | null;
  @ApiProperty({ nullable: true, type: Boolean }) accepted: boolean | null;
  @ApiProperty({ nullable: true, enum: DECISION_REASONS, description: 'The first failing gate, or ACCEPTED' })
  reason: DecisionReason | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description:
      'paired: the test (mcnemar_exact with b, c; paired_t with t, df; delong with z) and its pValue; alpha; ' +
      'significant; wald: the unpooled Wald 95% interval in bps (Hokusai, for comparison; proportions only)',
  })
  statistics: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Benchmark rows found in the candidate lineage' })
  leakedRows: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { minExamples: 800, cooldownSeconds: 86400, thresholdBps: 100, alpha: 0.05 },
  })
  settings: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) decidedAt: string | null;
}

export class DecisionPageDto {
  @ApiProperty({ type: [EvaluationResponseDto] }) items: EvaluationResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class DeltaOneSettingsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 10000000, example: 800, description: 'Fewest benchmark rows' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  minExamples?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 31536000, example: 86400, description: 'Seconds after an accepted one' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  cooldownSeconds?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, example: 100, description: 'Improvement needed, in bps' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  thresholdBps?: number;

  @ApiPropertyOptional({ minimum: 0.0001, maximum: 0.5, example: 0.05, description: 'Significance level' })
  @IsOptional()
  @IsNumber()
  @Min(0.0001)
  @Max(0.5)
  alpha?: number;
}

export class DeltaOneSettingsResponseDto {
  @ApiProperty({ example: 'churn' }) model: string;
  @ApiProperty({ example: 800 }) minExamples: number;
  @ApiProperty({ example: 86400 }) cooldownSeconds: number;
  @ApiProperty({ example: 100 }) thresholdBps: number;
  @ApiProperty({ example: 0.05 }) alpha: number;
  @ApiProperty({ nullable: true, type: String }) updatedBy: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt: string | null;
}

export function toEvaluationDto(e: EvaluationEntity, declared?: EvaluationView['declared']): EvaluationResponseDto {
  return {
    id: e.id,
    model: e.modelName,
    status: e.status,
    benchmarkId: e.benchmarkId,
    benchmarkHash: e.benchmarkHash,
    metric: e.metric,
    direction: e.direction,
    baseline: {
      version: e.baselineVersion,
      sha256: e.baselineSha256,
      metricBps: e.baselineBps,
      declaredMetrics: declared?.baseline ?? {},
    },
    candidate: {
      version: e.candidateVersion,
      sha256: e.candidateSha256,
      metricBps: e.candidateBps,
      declaredMetrics: declared?.candidate ?? {},
    },
    n: e.n,
    deltaBps: e.deltaBps,
    accepted: e.accepted,
    reason: e.reason,
    statistics: e.statistics,
    leakedRows: e.leakedRows,
    settings: { ...e.settings },
    error: e.error,
    createdAt: e.createdAt.toISOString(),
    startedAt: e.startedAt ? e.startedAt.toISOString() : null,
    decidedAt: e.decidedAt ? e.decidedAt.toISOString() : null,
  };
}

export function toSettingsDto(s: DeltaOneSettingsView): DeltaOneSettingsResponseDto {
  return { ...s, updatedAt: s.updatedAt ? s.updatedAt.toISOString() : null };
}
