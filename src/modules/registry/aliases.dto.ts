import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { PageQueryDto } from 'src/platform/http';
import { ALIAS, ALIAS_MESSAGE, MODEL_NAME, MODEL_NAME_MESSAGE, RESERVED_ALIAS_MESSAGE } from './registry.rules';

const NOT_RESERVED = /^(?!latest$)(?!v\d+$)/i;

export class AliasParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;

  @ApiProperty({ example: 'production', description: '`^[\\w-]{1,256}$`; `latest` and `v<digits>` are reserved' })
  @Matches(ALIAS, { message: ALIAS_MESSAGE })
  @Matches(NOT_RESERVED, { message: RESERVED_ALIAS_MESSAGE })
  alias: string;
}

export class VersionBodyDto {
  @ApiProperty({ example: 2 })
  @IsInt({ message: 'version must be a positive integer' })
  @Min(1, { message: 'version must be a positive integer' })
  version: number;
}

export class AliasHistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the changes of this alias' })
  @IsOptional()
  @Matches(ALIAS, { message: ALIAS_MESSAGE })
  alias?: string;
}

export class AliasResponseDto {
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiProperty({ example: 'production' }) alias: string;
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ description: 'Owner of the key that last moved it' }) updatedBy: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class AliasListDto {
  @ApiProperty({ type: [AliasResponseDto] }) items: AliasResponseDto[];
}

export class ProductionChangeDto {
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiProperty({ example: 'production' }) alias: string;
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ type: Number, nullable: true, example: 1, description: 'The version that held it before' })
  previousVersion: number | null;
}

export class AliasHistoryEntryDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ example: 'production' }) alias: string;
  @ApiProperty({ enum: ['set', 'delete', 'promote', 'rollback'] }) action: string;
  @ApiProperty({ type: Number, nullable: true }) fromVersion: number | null;
  @ApiProperty({ type: Number, nullable: true }) toVersion: number | null;
  @ApiProperty({ description: 'Owner of the key that made the change' }) actor: string;
  @ApiProperty({ type: String, nullable: true, description: 'Id of the API key (or internal actor) that made it' })
  actorKeyId: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
}

export class AliasHistoryPageDto {
  @ApiProperty({ type: [AliasHistoryEntryDto] }) items: AliasHistoryEntryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
