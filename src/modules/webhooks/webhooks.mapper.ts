import { EventEntity } from 'src/platform/events';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import {
  WebhookAttemptResponseDto,
  WebhookDeliveryResponseDto,
  WebhookEndpointResponseDto,
  WebhookMessageResponseDto,
} from './webhooks.dto';

const iso = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;

export function toEndpointDto(e: WebhookEndpointEntity): WebhookEndpointResponseDto {
  return {
    id: e.id,
    owner: e.owner,
    allOwners: e.allOwners,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    modelNames: e.modelNames,
    enabled: e.enabled,
    disabledAt: iso(e.disabledAt),
    disabledReason: e.disabledReason,
    breaker: { state: e.breakerState, consecutiveFailures: e.consecutiveFailures, retryAt: iso(e.breakerRetryAt) },
    failingSince: iso(e.failingSince),
    lastSuccessAt: iso(e.lastSuccessAt),
    previousSecretExpiresAt:
      e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now()
        ? e.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(d: WebhookDeliveryEntity, maxAttempts: number): WebhookDeliveryResponseDto {
  return {
    id: d.id,
    endpointId: d.endpointId,
    messageId: d.messageId,
    eventType: d.message?.type ?? null,
    status: d.status,
    attempts: d.attempts,
    maxAttempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
    replays: d.replays,
    createdAt: d.createdAt.toISOString(),
  };
}

export function toAttemptDto(a: WebhookAttemptEntity): WebhookAttemptResponseDto {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    outcome: a.outcome,
    statusCode: a.statusCode,
    error: a.error,
    responseBody: a.responseBody,
  };
}

export function toMessageDto(
  m: EventEntity,
  deliveries: WebhookDeliveryEntity[],
  maxAttempts: number,
): WebhookMessageResponseDto {
  return {
    id: m.id,
    type: m.type,
    timestamp: m.createdAt.toISOString(),
    modelName: m.modelName,
    data: m.data,
    dispatchedAt: iso(m.dispatchedAt),
    deliveries: deliveries.map((d) => toDeliveryDto(d, maxAttempts)),
  };
}
