import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQueryDto } from 'src/platform/http';
import { ATTEMPT_OUTCOMES } from './webhook-attempt.entity';
import { DELIVERY_STATUSES } from './webhook-delivery.entity';
import { EVENT_TYPE_PATTERN } from './webhooks.events';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://hooks.example.com/deltaone',
    maxLength: 2048,
    description:
      '`https://` (`http://` too when WEBHOOK_ALLOW_HTTP is true, the default in development); public addresses only (unless WEBHOOK_ALLOW_PRIVATE, likewise)',
  })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({
    example: ['model.promoted', 'deltaone.*'],
    description: 'Event types to receive: exact types, prefixes such as `model.*`, or `["*"]` for all',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(EVENT_TYPE_PATTERN, {
    each: true,
    message: 'each event type must be *, a type such as model.promoted, or a prefix such as model.*',
  })
  eventTypes: string[];

  @ApiPropertyOptional({ example: 'CI notifications', maxLength: 500, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    example: ['churn'],
    description: 'Only events about these models (events not about a model are still delivered)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(MODEL_NAME, {
    each: true,
    message: 'each model name must be 1-100 letters, digits, dots, dashes or underscores',
  })
  modelNames?: string[];
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ example: ['*'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(EVENT_TYPE_PATTERN, {
    each: true,
    message: 'each event type must be *, a type such as model.promoted, or a prefix such as model.*',
  })
  eventTypes?: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'null or [] removes the filter' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(MODEL_NAME, {
    each: true,
    message: 'each model name must be 1-100 letters, digits, dots, dashes or underscores',
  })
  modelNames?: string[] | null;

  @ApiPropertyOptional({ description: 'false disables the endpoint; true enables it again and resets its breaker' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ListDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Deliveries created at or after this time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Deliveries created before this time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  until?: Date;
}

export class RecoverDeliveriesDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Re-queue failed deliveries created since then' })
  @Type(() => Date)
  @IsDate()
  since: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'and before this time (default: now)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  until?: Date;
}

export class MessageIdParamDto {
  @ApiProperty({ example: 'msg_01JF3Q9Z8X7W6V5T4S3R2Q1P0N', description: 'The message id (msg_ and a ULID)' })
  @Matches(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'msgId must be a message id (msg_ followed by a ULID)' })
  msgId: string;
}

export class BreakerDto {
  @ApiProperty({ enum: ['closed', 'open', 'half_open'] }) state: string;
  @ApiProperty() consecutiveFailures: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Next half-open probe' })
  retryAt: string | null;
}

export class WebhookEndpointResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() owner: string;
  @ApiProperty({ description: "Receives every owner's events (made by an admin key)" }) allOwners: boolean;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String] }) eventTypes: string[];
  @ApiProperty({ type: [String], nullable: true }) modelNames: string[] | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({ enum: ['manual', 'gone', 'failing'], nullable: true, type: String }) disabledReason: string | null;
  @ApiProperty({ type: BreakerDto }) breaker: BreakerDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Failing without success since' })
  failingSince: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSuccessAt: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until then deliveries are also signed with the secret before the last rotation',
  })
  previousSecretExpiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class CreatedWebhookEndpointResponseDto extends WebhookEndpointResponseDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret. It is shown only in this answer (and after a rotation).',
  })
  secret: string;
}

export class RotatedSecretResponseDto {
  @ApiProperty({ description: 'The new signing secret, shown only in this answer' }) secret: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until then deliveries carry signatures with the old and the new secret',
  })
  previousSecretExpiresAt: string | null;
}

export class WebhookEndpointPageDto {
  @ApiProperty({ type: [WebhookEndpointResponseDto] }) items: WebhookEndpointResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class WebhookAttemptResponseDto {
  @ApiProperty({ description: '1 for the first attempt of a run of the schedule' }) attempt: number;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: string;
  @ApiProperty() durationMs: number;
  @ApiProperty({ enum: ATTEMPT_OUTCOMES }) outcome: string;
  @ApiProperty({ type: Number, nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'At most the first 4 KB of the answer' })
  responseBody: string | null;
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ example: 'msg_01JD6Y8Q7W2M3N4P5Q6R7S8T9V', description: 'The webhook-id' }) messageId: string;
  @ApiProperty({ type: String, nullable: true }) eventType: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ description: 'Attempts spent in the current run of the schedule' }) attempts: number;
  @ApiProperty() maxAttempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Only while pending' })
  nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ description: 'Times it was replayed or recovered' }) replays: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
}

export class WebhookDeliveryDetailResponseDto extends WebhookDeliveryResponseDto {
  @ApiProperty({ type: [WebhookAttemptResponseDto] }) attemptLog: WebhookAttemptResponseDto[];
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryResponseDto] }) items: WebhookDeliveryResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class WebhookMessageResponseDto {
  @ApiProperty({ example: 'msg_01JD6Y8Q7W2M3N4P5Q6R7S8T9V' }) id: string;
  @ApiProperty({ example: 'model.promoted' }) type: string;
  @ApiProperty({ type: String, format: 'date-time' }) timestamp: string;
  @ApiProperty({ type: String, nullable: true }) modelName: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: object;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dispatchedAt: string | null;
  @ApiProperty({ type: [WebhookDeliveryResponseDto], description: "Deliveries to the caller's endpoints" })
  deliveries: WebhookDeliveryResponseDto[];
}

export class TestEventResponseDto {
  @ApiProperty({ example: 'msg_01JD6Y8Q7W2M3N4P5Q6R7S8T9V' }) messageId: string;
  @ApiProperty({ format: 'uuid' }) deliveryId: string;
}

export class RecoverResponseDto {
  @ApiProperty({ description: 'Failed deliveries put back in the queue' }) requeued: number;
}

export class EventTypeDto {
  @ApiProperty({ example: 'model.promoted' }) type: string;
  @ApiProperty({ example: 'registry' }) source: string;
  @ApiProperty() description: string;
}

export class EventTypesResponseDto {
  @ApiProperty({ type: [EventTypeDto] }) items: EventTypeDto[];
}
