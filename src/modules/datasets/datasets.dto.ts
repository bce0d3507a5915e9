import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { PageQueryDto } from 'src/platform/http';
import { DatasetEntity } from './dataset.entity';
import { DATASET_KINDS, DatasetKind } from './datasets.types';

export class DatasetModelParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class DatasetParamDto extends DatasetModelParamDto {
  @ApiProperty({ format: 'uuid', description: 'The dataset id', example: '0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

/** The form fields of a dataset upload (the rows are in the part `file`). */
export class UploadDatasetFieldsDto {
  @ApiProperty({ enum: DATASET_KINDS, description: 'benchmark (evaluations run on it) or training' })
  @IsIn(DATASET_KINDS)
  kind: DatasetKind;

  @ApiPropertyOptional({ maxLength: 2000, example: 'Held-out churn sample, Q3' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

/** The multipart body, for the OpenAPI document. */
export class UploadDatasetBodyDto extends UploadDatasetFieldsDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The rows: .csv with a header row, or .jsonl' })
  file: unknown;
}

export class DatasetListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DATASET_KINDS, description: 'Only datasets of this kind' })
  @IsOptional()
  @IsIn(DATASET_KINDS)
  kind?: DatasetKind;
}

export class SetBenchmarkDto {
  @ApiProperty({ format: 'uuid', description: 'A benchmark dataset of this model' })
  @IsUUID('all', { message: 'datasetId must be a UUID' })
  datasetId: string;
}

export class DatasetResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiProperty({ enum: DATASET_KINDS }) kind: DatasetKind;
  @ApiProperty({
    example: 'sha256:9f2c0d1e5a3b4c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f',
    description: 'sha256 over the sorted distinct row hashes: the same rows give the same hash as a contribution',
  })
  hash: string;
  @ApiProperty({ example: 1000 }) rowCount: number;
  @ApiProperty({ type: [String], description: 'The features of the production version, then the label column' })
  columns: string[];
  @ApiProperty({ example: 'churned' }) labelColumn: string;
  @ApiProperty({ description: 'The production version the rows were checked against' }) schemaVersion: number;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: "Whether this is the model's active benchmark" }) active: boolean;
  @ApiProperty({ enum: ['csv', 'jsonl'] }) format: string;
  @ApiProperty({ description: 'sha256 (hex) of the uploaded file' }) fileSha256: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() createdAt: string;
}

export class DatasetPageDto {
  @ApiProperty({ type: [DatasetResponseDto] }) items: DatasetResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function toDatasetDto(d: DatasetEntity): DatasetResponseDto {
  return {
    id: d.id,
    modelName: d.modelName,
    kind: d.kind,
    hash: d.hash,
    rowCount: d.rowCount,
    columns: d.columns,
    labelColumn: d.labelColumn,
    schemaVersion: d.schemaVersion,
    description: d.description,
    active: d.active,
    format: d.format,
    fileSha256: d.fileSha256,
    sizeBytes: d.sizeBytes,
    createdAt: d.createdAt.toISOString(),
  };
}
