import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { TRAINER_FAMILIES } from './trainers';
import { TrainingPolicy } from './training-policy.service';
import { TRAINING_RUN_STATUSES, TrainingRunEntity } from './training-run.entity';

export class TrainingModelParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class TrainingRunParamDto {
  @ApiProperty({ format: 'uuid', description: 'The training run id' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class StartTrainingDto {
  @ApiPropertyOptional({ example: 1, description: 'The version to train from (its features); default: production' })
  @IsOptional()
  @IsInt()
  @Min(1)
  baseVersion?: number;

  @ApiPropertyOptional({
    enum: TRAINER_FAMILIES,
    description:
      "Default: the base version's family when it was trained here, else logistic_regression (linear_regression " +
      'for rmse/mae models). An unknown family is 400 UNKNOWN_TRAINER_FAMILY naming `family`.',
  })
  @IsOptional()
  @IsString()
  family?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Accepted contributions to train on; default: every accepted contribution not yet used',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each contribution id must be a UUID' })
  contributionIds?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { l2: 0.0001, maxIterations: 500, validationFraction: 0.2 },
    description:
      "The family's hyperparameters (missing ones take their defaults; default: the base version's when the family " +
      'is not given). logistic_regression: l2 [0, 1e4], maxIterations [1, 10000], validationFraction (0, 0.5]; ' +
      'linear_regression: l2, validationFraction; mlp_classifier: hiddenUnits [1, 256], epochs [1, 500], ' +
      'learningRate [1e-6, 1], batchSize [1, 8192], l2, validationFraction. Out of range: 400 INVALID_HYPERPARAMETERS ' +
      'naming `hyperparameters.<name>`.',
  })
  @IsOptional()
  @IsObject()
  hyperparameters?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 42, description: 'Seed of the validation split and the trainer (default 0)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 32 - 1)
  seed?: number;
}

export class TrainingProgressDto {
  @ApiProperty({ example: 37 }) iteration: number;
  @ApiProperty({ example: 0.4121 }) loss: number;
  @ApiProperty({ example: 812, description: 'Milliseconds since the trainer started' }) elapsedMs: number;
}

export class TrainingContributionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '0x9A3e0b1C5d7F2a4B6c8D0e1F3a5B7c9D1e3F5a7B' }) walletAddress: string;
  @ApiProperty({ example: 120, description: 'Rows credited to it (first to bring them), trained on' })
  creditedRows: number;
}

export class TrainingDroppedDto {
  @ApiProperty({ enum: ['IN_ACTIVE_BENCHMARK', 'MISSING_VALUE'] }) reason: string;
  @ApiProperty({ example: 3 }) rows: number;
}

export class TrainingDataDto {
  @ApiPropertyOptional({
    nullable: true,
    example: { id: '0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b', hash: 'sha256:9f2c…', rows: 500 },
    description: "The model's latest training dataset (null: none)",
  })
  dataset: { id: string; hash: string; rows: number } | null;
  @ApiProperty({ type: [TrainingContributionDto] }) contributions: TrainingContributionDto[];
  @ApiProperty({ example: 617, description: 'Rows trained on (training + validation split), after the drops' })
  rows: number;
  @ApiProperty({ type: [TrainingDroppedDto], description: 'Rows not trained on, and why' })
  dropped: TrainingDroppedDto[];
  @ApiProperty({ type: [String] }) features: string[];
  @ApiProperty({ example: 'churned' }) labelColumn: string;
}

export class TrainingRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiProperty({ enum: TRAINING_RUN_STATUSES }) status: string;
  @ApiProperty({ enum: ['api', 'policy'] }) trigger: string;
  @ApiProperty({ enum: TRAINER_FAMILIES }) family: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) hyperparameters: Record<string, number>;
  @ApiProperty({ example: 0 }) seed: number;
  @ApiProperty({ example: 1 }) baseVersion: number;
  @ApiProperty({ type: [String] }) contributionIds: string[];
  @ApiPropertyOptional({ type: TrainingDataDto, nullable: true }) data: TrainingDataDto | null;
  @ApiPropertyOptional({ type: TrainingProgressDto, nullable: true }) progress: TrainingProgressDto | null;
  @ApiPropertyOptional({
    nullable: true,
    example: { training: { accuracy: 0.91, logloss: 0.24 }, validation: { accuracy: 0.9, logloss: 0.26 } },
  })
  metrics: { training: Record<string, number>; validation: Record<string, number> } | null;
  @ApiPropertyOptional({ nullable: true, description: 'Iterations, convergence, verification against onnxruntime' })
  details: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 2, description: 'The version registered' })
  resultVersion: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) resultSha256: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The evaluation against production queued',
  })
  evaluationId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'VERIFICATION_FAILED' }) failureCode: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) failureReason: string | null;
  @ApiProperty() cancelRequested: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}

export class TrainingRunAcceptedDto extends TrainingRunDto {
  @ApiProperty({ example: '/api/v1/training-runs/3f0c…', description: 'Poll it, or follow `${statusUrl}/events`' })
  statusUrl: string;
}

export class TrainingRunPageDto {
  @ApiProperty({ type: [TrainingRunDto] }) items: TrainingRunDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

export class TrainingPolicyDto {
  @ApiProperty({ description: 'Whether the scheduled check (once a minute) may start runs' })
  @IsBoolean()
  enabled: boolean;

  @ApiProperty({ example: 500, description: 'Credited rows of accepted contributions not yet trained on' })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  minNewRows: number;

  @ApiProperty({ example: 60, description: 'Minutes between two runs the policy starts' })
  @IsInt()
  @Min(0)
  @Max(525_600)
  minIntervalMinutes: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 0.85,
    description:
      "Also start a run when production's metric measured on the benchmark (its newest evaluation) is below this",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  onlyWhenMetricBelow?: number | null;
}

export class TrainingPolicyResponseDto extends TrainingPolicyDto {
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) lastTriggeredAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTrainingRunDto(r: TrainingRunEntity): TrainingRunDto {
  return {
    id: r.id,
    modelName: r.modelName,
    status: r.status,
    trigger: r.trigger,
    family: r.family,
    hyperparameters: r.hyperparameters,
    seed: r.seed,
    baseVersion: r.baseVersion,
    contributionIds: r.contributionIds,
    data: r.data,
    progress: r.progress,
    metrics: r.metrics,
    details: r.details,
    resultVersion: r.resultVersion,
    resultSha256: r.resultSha256,
    evaluationId: r.evaluationId,
    failureCode: r.failureCode,
    failureReason: r.failureReason,
    cancelRequested: r.cancelRequested,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}

export function toPolicyDto(p: TrainingPolicy): TrainingPolicyResponseDto {
  return { ...p, lastTriggeredAt: iso(p.lastTriggeredAt) };
}
