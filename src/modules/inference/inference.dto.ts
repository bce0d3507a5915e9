import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The other outputs of the model for this row, by name (when there are any)',
  })
  outputs?: Record<string, unknown>;
}

export class ExperimentServedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn v4 vs v3' }) name: string;
  @ApiProperty({ example: 'treatment' }) variant: string;
  @ApiProperty({ example: 4, description: "The variant's version (`version` above differs only after a fallback)" })
  version: number;
  @ApiProperty({ enum: ['unit', 'random'], description: '`random` when the request named no unit' })
  assignment: string;
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
  @ApiPropertyOptional({
    type: ExperimentServedDto,
    description: 'Present when a running A/B experiment chose the version',
  })
  experiment?: ExperimentServedDto;
  @ApiProperty() requestId: string;
}
