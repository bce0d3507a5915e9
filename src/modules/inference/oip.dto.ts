import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OipServerMetadataDto {
  @ApiProperty({ example: 'deltaone-platform' }) name: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ type: [String], example: ['model_repository'] }) extensions: string[];
}

export class OipTensorMetadataDto {
  @ApiProperty() name: string;
  @ApiProperty({ example: 'FP32' }) datatype: string;
  @ApiProperty({ type: [Number], example: [-1, 16], description: '-1 is a variable dimension' }) shape: number[];
}

export class OipModelMetadataDto {
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) versions: string[];
  @ApiProperty({ example: 'onnxruntime_onnx' }) platform: string;
  @ApiProperty({ type: [OipTensorMetadataDto] }) inputs: OipTensorMetadataDto[];
  @ApiProperty({ type: [OipTensorMetadataDto] }) outputs: OipTensorMetadataDto[];
}

export class OipReadyDto {
  @ApiProperty() name: string;
  @ApiProperty() ready: boolean;
}

export class OipLiveDto {
  @ApiProperty() live: boolean;
}

export class OipServerReadyDto {
  @ApiProperty() ready: boolean;
}

export class OipRequestInputDto {
  @ApiProperty() name: string;
  @ApiProperty({ type: [Number] }) shape: number[];
  @ApiProperty({ example: 'FP32' }) datatype: string;
  @ApiProperty({ description: 'Row-major tensor data, nested or flat', type: 'array', items: {} }) data: unknown[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) parameters?: Record<string, unknown>;
}

export class OipRequestOutputDto {
  @ApiProperty() name: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) parameters?: Record<string, unknown>;
}

export class OipInferRequestDto {
  @ApiPropertyOptional({ description: 'Echoed in the response' }) id?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) parameters?: Record<string, unknown>;
  @ApiProperty({ type: [OipRequestInputDto] }) inputs: OipRequestInputDto[];
  @ApiPropertyOptional({ type: [OipRequestOutputDto], description: 'Only these outputs (all when absent)' })
  outputs?: OipRequestOutputDto[];
}

export class OipResponseOutputDto {
  @ApiProperty() name: string;
  @ApiProperty({ type: [Number] }) shape: number[];
  @ApiProperty() datatype: string;
  @ApiProperty({ type: 'array', items: {} }) data: unknown[];
}

export class OipInferResponseDto {
  @ApiProperty() model_name: string;
  @ApiProperty() model_version: string;
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Set when a running A/B experiment chose the version: experiment_id, experiment, variant, variant_version, assignment (unit or random)',
    example: {
      experiment_id: '5b0c…',
      experiment: 'churn v4 vs v3',
      variant: 'treatment',
      variant_version: 4,
      assignment: 'unit',
    },
  })
  parameters?: Record<string, unknown>;
  @ApiProperty({ type: [OipResponseOutputDto] }) outputs: OipResponseOutputDto[];
}

export class OipRepositoryEntryDto {
  @ApiProperty() name: string;
  @ApiProperty() version: string;
  @ApiProperty({ enum: ['READY', 'UNAVAILABLE'] }) state: string;
  @ApiProperty() reason: string;
}

export class OipRepositoryIndexRequestDto {
  @ApiPropertyOptional({ description: 'Only models that are (true) or are not (false) loaded' }) ready?: boolean;
}

export class OipErrorDto {
  @ApiProperty({ example: 'Unknown model churn' }) error: string;
}

export class OipUnloadResponseDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Versions dropped from this server’s memory' }) versions: number;
  @ApiProperty({
    enum: [true],
    description: 'A predict or infer request loads the model again; until then, or until load, ready answers 503',
  })
  reloadsOnDemand: true;
}
