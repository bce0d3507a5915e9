import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { CONTRIBUTION_STATUSES } from './contribution.entity';
import { MIN_REFERENCE_ROWS, QUALITY_FORMULA } from './contribution-quality';
import { ROW_PROBLEM_CODES } from './contribution.rules';
import { PII_POLICIES } from './pii-policy';

export const MAX_ROWS_PER_CONTRIBUTION = 10_000;

export class ContributorDto {
  @ApiProperty({
    example: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    description: 'The contributor wallet: EIP-55 checksum enforced for mixed case; all lower case is normalised',
  })
  @IsString()
  @MaxLength(42)
  walletAddress: string;

  @ApiPropertyOptional({
    description:
      'EIP-191 (`personal_sign`) signature, by walletAddress, of exactly these four lines joined by `\\n` (no ' +
      'trailing newline):\n`DeltaOne contribution`\n`model: <model name>`\n`dataset: <dataset hash>`\n' +
      '`timestamp: <signedAt, as sent>`\nwhere the dataset hash is `sha256:` + hex sha256 over the distinct ' +
      'hex sha256 hashes of the submitted rows canonical JSON (keys sorted, numbers in shortest form), sorted, each ' +
      'followed by `\\n`. Required when the model requires signatures; checked whenever given.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^0x[0-9a-fA-F]{130}$/, { message: 'signature must be 0x and 130 hex digits' })
  signature?: string;

  @ApiPropertyOptional({
    example: '2026-11-24T09:00:00.000Z',
    description: 'ISO 8601 time of signing, within 10 minutes of the server clock',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'signedAt must be an ISO 8601 date-time' })
  signedAt?: string;
}

export class SubmitContributionDto {
  @ApiProperty({
    description: '1 to 10,000 rows: objects with exactly the production version features plus the model label column',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ f0: 0.1, f1: 2, label: 'yes' }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROWS_PER_CONTRIBUTION)
  @IsObject({ each: true })
  rows: Record<string, unknown>[];

  @ApiProperty({ type: ContributorDto })
  @ValidateNested()
  @Type(() => ContributorDto)
  contributor: ContributorDto;

  @ApiPropertyOptional({ example: 'CC-BY-4.0', description: 'The licence the data is given under' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  license?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Free-form, stored as given' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class ModelNameParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class WalletParamDto {
  @ApiProperty({ example: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' })
  @IsString()
  @MaxLength(42)
  walletAddress: string;
}

export class UpdateContributionSettingsDto {
  @ApiPropertyOptional({
    enum: PII_POLICIES,
    description:
      'reject: refuse a batch with PII; redact: replace each finding by `[REDACTED:TYPE]`; pseudonymize: by an ' +
      'HMAC-SHA256 pseudonym (needs CONTRIBUTION_PSEUDONYM_SECRET). Numeric cells holding PII become null.',
  })
  @IsOptional()
  @IsIn(PII_POLICIES)
  piiPolicy?: (typeof PII_POLICIES)[number];

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Contributions scoring below are rejected' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minQuality?: number;

  @ApiPropertyOptional({ description: 'Require an EIP-191 signature by the contributor wallet' })
  @IsOptional()
  @IsBoolean()
  requireSignature?: boolean;
}

export class ContributionSettingsResponseDto {
  @ApiProperty() modelName: string;
  @ApiProperty({ enum: PII_POLICIES }) piiPolicy: string;
  @ApiProperty() minQuality: number;
  @ApiProperty() requireSignature: boolean;
}

export class RowErrorDto {
  @ApiProperty({ description: 'Index of the row in the batch' }) row: number;
  @ApiProperty() column: string;
  @ApiProperty({
    enum: ROW_PROBLEM_CODES,
    description: 'NOT_A_NUMBER: a CSV cell of a numeric column that does not read as a number',
  })
  code: string;
}

export class QualityReportDto {
  @ApiProperty({ description: 'Rows scored (those that passed the schema check)' }) rows: number;
  @ApiProperty() completeness: number;
  @ApiProperty({ description: 'Rows repeating an earlier row of the batch' }) duplicateRows: number;
  @ApiProperty() duplicateRate: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: '|z| > 3 per column' })
  outliers: Record<string, number>;
  @ApiProperty() outlierRate: number;
  @ApiProperty({
    enum: ['model', 'batch'],
    description: `What the z-scores are measured against: model (the model accepted data, once each numeric column has ${MIN_REFERENCE_ROWS} values there) or batch`,
  })
  outlierReference: 'model' | 'batch';
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, nullable: true })
  labelCounts: Record<string, number> | null;
  @ApiProperty({ nullable: true, type: Number }) labelBalance: number | null;
  @ApiProperty({ minimum: 0, maximum: 1 }) score: number;
  @ApiProperty({ example: QUALITY_FORMULA }) formula: string;
}

export class PiiSummaryDto {
  @ApiProperty({ enum: PII_POLICIES }) policy: string;
  @ApiProperty() findings: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) byType: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) byColumn: Record<string, number>;
  @ApiProperty({ enum: ['none', 'rejected', 'redacted', 'pseudonymized'] }) action: string;
}

export class ContributionCountsDto {
  @ApiProperty() received: number;
  @ApiProperty({ description: 'Rows stored and credited to this contribution' }) accepted: number;
  @ApiProperty({ description: 'Rows left out (schema problems), or every row of a rejected contribution' })
  rejected: number;
  @ApiProperty({ description: 'Rows stored but not credited: already in the model data or repeated in the batch' })
  duplicate: number;
}

export class ContributionResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() modelName: string;
  @ApiProperty() walletAddress: string;
  @ApiProperty() signatureVerified: boolean;
  @ApiProperty({ enum: CONTRIBUTION_STATUSES }) status: string;
  @ApiProperty({ type: ContributionCountsDto }) counts: ContributionCountsDto;
  @ApiProperty({ nullable: true, type: String, example: `sha256:${'0'.repeat(64)}` }) datasetHash: string | null;
  @ApiProperty({ type: QualityReportDto, nullable: true }) qualityReport: QualityReportDto | null;
  @ApiProperty({ type: PiiSummaryDto, nullable: true }) piiSummary: PiiSummaryDto | null;
  @ApiProperty({ type: [RowErrorDto] }) rowErrors: RowErrorDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'NO_ACCEPTABLE_ROWS, PII_DETECTED, LOW_QUALITY, a signature or file problem, or ERASED (erased before processing)',
  })
  rejectionCode: string | null;
  @ApiProperty({ nullable: true, type: String }) rejectionReason: string | null;
  @ApiProperty({ nullable: true, type: String }) license: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty() receivedAt: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({
    description:
      'True once the contributor had the rows contents erased: counts, hashes, status and lifecycle stay; metadata is cleared',
  })
  erased: boolean;
  @ApiProperty({ nullable: true, type: String }) erasedAt: string | null;
}

export class ContributionAcceptedResponseDto extends ContributionResponseDto {
  @ApiProperty({ example: '/api/v1/contributions/0b0e...', description: 'Where to follow the contribution' })
  statusUrl: string;
}

export class ContributionPageDto {
  @ApiProperty({ type: [ContributionResponseDto] }) items: ContributionResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class LifecycleStepDto {
  @ApiProperty({ enum: CONTRIBUTION_STATUSES }) state: string;
  @ApiProperty() at: string;
}

export class LifecycleResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: CONTRIBUTION_STATUSES }) status: string;
  @ApiProperty({ type: [LifecycleStepDto], description: 'The states reached, in order, each with its time' })
  steps: LifecycleStepDto[];
}
