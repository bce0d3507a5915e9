import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../http/pagination';
import { AuditRecordEntity } from './audit-record.entity';
import type { AuditBreak, AuditVerification } from './audit.service';

export class ListAuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'The acting key: its owner, its prefix or its id', example: 'acme' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'actor must be an owner, a key prefix or a key id' })
  actor?: string;

  @ApiPropertyOptional({ example: 'model.promote' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, { message: 'action must look like object.verb' })
  action?: string;

  @ApiPropertyOptional({ example: 'model' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, { message: 'targetType must be a lower-case word such as model' })
  targetType?: string;

  @ApiPropertyOptional({ example: 'churn' })
  @IsOptional()
  @Matches(/\S/, { message: 'targetId must not be blank' })
  @MaxLength(300)
  targetId?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Records at or after this time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Records before this time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  until?: Date;
}

export class AuditActorDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) keyId: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'dok_3q2Zr1xA' }) keyPrefix: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'null when the system acted (a job)' }) owner:
    string | null;
}

export class AuditTargetDto {
  @ApiProperty({ example: 'model' }) type: string;
  @ApiProperty({ example: 'churn' }) id: string;
  @ApiProperty({ type: String, nullable: true }) owner: string | null;
}

export class AuditRecordDto {
  @ApiProperty({ description: 'Position in the chain (1, 2, 3, ...)', example: '42' }) seq: string;
  @ApiProperty({ type: String, format: 'date-time' }) time: string;
  @ApiProperty({ type: AuditActorDto }) actor: AuditActorDto;
  @ApiProperty({ example: 'model.promote' }) action: string;
  @ApiProperty({ type: AuditTargetDto }) target: AuditTargetDto;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
  @ApiProperty({ type: String, nullable: true }) clientIp: string | null;
  @ApiProperty({ example: 'success' }) outcome: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: '`{field: {from?, to?}}` for the fields that changed (never secrets or row contents)',
    example: { production: { from: 1, to: 2 } },
  })
  changes: Record<string, unknown> | null;
  @ApiProperty({ description: 'sha256 of the previous record' }) prevHash: string;
  @ApiProperty({ description: 'sha256 of prevHash and this record' }) hash: string;

  static from(r: AuditRecordEntity): AuditRecordDto {
    return {
      seq: r.seq,
      time: r.createdAt.toISOString(),
      actor: { keyId: r.actorKeyId, keyPrefix: r.actorKeyPrefix, owner: r.actorOwner },
      action: r.action,
      target: { type: r.targetType, id: r.targetId, owner: r.targetOwner },
      requestId: r.requestId,
      clientIp: r.clientIp,
      outcome: r.outcome,
      changes: r.changes,
      prevHash: r.prevHash,
      hash: r.hash,
    };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditRecordDto] }) items: AuditRecordDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AuditBreakDto {
  @ApiProperty({ example: '17' }) seq: string;
  @ApiProperty({ enum: ['SEQUENCE_GAP', 'PREVIOUS_HASH_MISMATCH', 'HASH_MISMATCH'] }) reason: AuditBreak;
  @ApiProperty() detail: string;
}

export class AuditVerificationDto implements AuditVerification {
  @ApiProperty({ description: 'True when every record links to the one before it and hashes to its hash' })
  valid: boolean;
  @ApiProperty({ description: 'Records found intact before the first broken one (all of them when valid)' })
  checked: number;
  @ApiProperty({ type: String, nullable: true, description: 'The last intact record' }) lastSeq: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Its hash: keep it elsewhere to anchor the chain' })
  lastHash: string | null;
  @ApiProperty({ type: AuditBreakDto, nullable: true }) firstBroken: AuditBreakDto | null;
}
