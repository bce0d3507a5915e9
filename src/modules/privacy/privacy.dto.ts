import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { PII_TYPES } from './pii-scanner';

export class ScanRequestDto {
  @ApiPropertyOptional({
    description: 'A text to scan (at most 1,000,000 characters)',
    example: 'mail jane@example.com',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  text?: string;

  @ApiPropertyOptional({
    description: 'Rows to scan (1 to 10,000 objects); string and integer values are scanned',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ note: 'call +14155552671', age: 42 }],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsObject({ each: true })
  rows?: Record<string, unknown>[];
}

export class FindingDto {
  @ApiProperty({ enum: PII_TYPES }) type: string;
  @ApiProperty({ description: 'Offset of the first character of the value (within the text, or within the cell)' })
  start: number;
  @ApiProperty({ description: 'Offset just past the value' }) end: number;
  @ApiPropertyOptional({ description: 'Row index (rows only)' }) row?: number;
  @ApiPropertyOptional({ description: 'Column name (rows only)' }) column?: string;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'Confidence: checksum-validated types score highest' })
  score: number;
}

export class ScanResponseDto {
  @ApiProperty({ type: [FindingDto] }) findings: FindingDto[];
}
