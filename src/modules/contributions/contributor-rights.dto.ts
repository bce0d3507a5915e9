import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { CONTRIBUTION_STATUSES } from './contribution.entity';
import { ContributionResponseDto } from './contributions.dto';

export class ContributorProofDto {
  @ApiPropertyOptional({
    example: '2026-11-24T09:00:00.000Z',
    description: 'ISO 8601 time of signing, as it appears in the signed message; within 10 minutes of the server clock',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'timestamp must be an ISO 8601 date-time' })
  timestamp?: string;

  @ApiPropertyOptional({
    description:
      'EIP-191 (`personal_sign`) signature by the wallet of exactly `DeltaOne data export` (or `DeltaOne data ' +
      'erasure`), `wallet: <EIP-55 address>` and `timestamp: <timestamp>`, joined by `\\n`, no trailing newline. ' +
      'Omit both fields to use an admin API key instead.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^0x[0-9a-fA-F]{130}$/, { message: 'signature must be 0x and 130 hex digits' })
  signature?: string;
}

export class ExportedRowDto {
  @ApiProperty() rowIndex: number;
  @ApiProperty({ description: 'sha256 (hex) of the row canonical JSON' }) rowHash: string;
  @ApiProperty() credited: boolean;
  @ApiProperty() duplicate: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'null once erased' })
  data: Record<string, unknown> | null;
}

export class TrainedVersionDto {
  @ApiProperty() modelName: string;
  @ApiProperty() version: number;
}

export class ExportedContributionDto extends ContributionResponseDto {
  @ApiProperty({ nullable: true, type: String, description: 'Status marker: when a training run used it' })
  includedInTrainingAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Status marker: when it was rewarded' })
  rewardedAt: string | null;
  @ApiProperty({ type: [TrainedVersionDto], description: 'Registry versions whose lineage lists this contribution' })
  trainedVersions: TrainedVersionDto[];
  @ApiProperty({ type: [ExportedRowDto], description: 'The stored rows (accepted contributions only)' })
  rows: ExportedRowDto[];
}

export class ContributorExportDto {
  @ApiProperty() walletAddress: string;
  @ApiProperty() generatedAt: string;
  @ApiProperty({ type: [String], description: 'What the document does and does not hold' })
  notes: string[];
  @ApiProperty({ type: [ExportedContributionDto] }) contributions: ExportedContributionDto[];
}

export class ErasedContributionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() modelName: string;
  @ApiProperty({ enum: CONTRIBUTION_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) datasetHash: string | null;
  @ApiProperty({ description: 'Stored rows whose contents are erased (their hashes stay)' }) rows: number;
  @ApiProperty() erasedAt: string;
}

export class ErasureSummaryDto {
  @ApiProperty() walletAddress: string;
  @ApiProperty({ type: [ErasedContributionDto] }) contributions: ErasedContributionDto[];
  @ApiProperty({ description: 'Stored rows of the wallet whose contents are erased' }) rows: number;
}
