import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinDate,
} from 'class-validator';
import { PageQueryDto } from '../http/pagination';
import { ApiKeyEntity } from './api-key.entity';
import { Scope, SCOPES } from './scopes';

const OWNER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci pipeline', maxLength: 100 })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['models:read', 'predict'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({
    description: 'Owner of the new key; only an admin key may name another owner',
    example: 'acme',
  })
  @IsOptional()
  @Matches(OWNER, { message: 'owner must be 1-100 letters, digits, dots, dashes or underscores' })
  owner?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'When the key stops working' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  expiresAt?: Date;
}

export class ListApiKeysQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only keys of this owner (admin only; other keys always see their own owner)' })
  @IsOptional()
  @Matches(OWNER)
  owner?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeRevoked?: boolean;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() owner: string;
  @ApiProperty({ description: 'First characters of the key', example: 'dok_3q2Zr1xA' }) prefix: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;

  static from(e: ApiKeyEntity): ApiKeyResponseDto {
    return {
      id: e.id,
      name: e.name,
      owner: e.owner,
      prefix: e.prefix,
      scopes: e.scopes,
      createdAt: e.createdAt.toISOString(),
      expiresAt: e.expiresAt?.toISOString() ?? null,
      lastUsedAt: e.lastUsedAt?.toISOString() ?? null,
      revokedAt: e.revokedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The key itself. It is shown only in this answer; the server keeps only its hash.' })
  key: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items: ApiKeyResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
