import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';

export class ModelNameParamDto {
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class PredictQueryDto {
  @ApiPropertyOptional({ description: 'Serve this version number instead of the production alias' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ description: 'Serve the version this alias points at instead of production' })
  @IsOptional()
  @Matches(/^[\w-]{1,256}$/, { message: 'alias must match ^[\\w-]{1,256}$' })
  alias?: string;
}

/**
 * Documentation only: the body is checked by the version's row encoder (a typed loop per row against the
 * signature), not by decorators, so that large batches stay fast.
 */
export class PredictRequestDto {
  @ApiPropertyOptional({
    description: 'Rows as objects keyed by feature name (one object, or a list)',
    example: [{ f0: 0.1, f1: 1.2 }],
    type: 'array',
    items: { type: 'object', additionalProperties: { type: 'number' } },
  })
  inputs?: Record<string, number>[];

  @ApiPropertyOptional({
    description: 'Rows as arrays in feature order',
    example: [[0.1, 1.2]],
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
  })
  instances?: number[][];
}

export class FallbackDto {
  @ApiProperty() fromVersion: number;
  @ApiProperty() toVersion: number;
  @ApiProperty({ enum: ['timeout', 'error'] }) reason: string;
}

export class RowPredictionDto {
  @ApiPropertyOptional({ description: 'Class label (classifiers)', oneOf: [{ type: 'number' }, { type: 'string' }] })
  label?: number | string;
  @ApiPropertyOptional({ type: [Number], description: 'Class probabilities (classifiers)' }) probabilities?: number[];
  @ApiPropertyOptional({ description: 'Predicted value (regressors)' }) value?: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Every model output for this row' })
  outputs: Record<string, unknown>;
}

export class PredictResponseDto {
  @ApiProperty() model: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: [RowPredictionDto] }) predictions: RowPredictionDto[];
  @ApiProperty({ description: 'True when the answer came from the result cache' }) cached: boolean;
  @ApiProperty({
    type: FallbackDto,
    nullable: true,
    description: 'Set when production failed and the previous production version answered',
  })
  fallback: FallbackDto | null;
  @ApiProperty() requestId: string;
}
