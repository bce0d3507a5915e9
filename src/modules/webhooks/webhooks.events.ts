import { defineEvents, event, eventCatalogue, PayloadsOf } from 'src/platform/events';
import type { DisabledReason } from './webhook-endpoint.entity';

export const WEBHOOK_TEST = 'webhook.test';
export const WEBHOOK_ENDPOINT_DISABLED = 'webhook.endpoint.disabled';

export interface WebhookTestEvent {
  endpointId: string;
  message: string;
}

export interface EndpointDisabledEvent {
  endpointId: string;
  url: string;
  reason: Exclude<DisabledReason, 'manual'>;
  disabledAt: string;
}

export const WEBHOOKS_EVENTS = defineEvents('webhooks', {
  [WEBHOOK_TEST]: event<WebhookTestEvent>(
    'Sent to one endpoint by POST /api/v1/webhooks/endpoints/{id}/test. data: endpointId, message.',
  ),
  [WEBHOOK_ENDPOINT_DISABLED]: event<EndpointDisabledEvent>(
    'An endpoint was disabled automatically (it answered 410, or failed without a success for ' +
      'WEBHOOK_DISABLE_AFTER_DAYS). data: endpointId, url, reason (gone or failing), disabledAt.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof WEBHOOKS_EVENTS> {}
}

/** A subscription pattern: `*`, an exact type, or a prefix ending in `.*` (such as `model.*`). */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** The webhooks section of the OpenAPI description: delivery semantics and the event catalogue. */
export function webhooksApiDescription(): string {
  return [
    '## Webhooks',
    '',
    'Events are delivered as signed POSTs (Standard Webhooks): headers `webhook-id` (the message id, stable across ' +
      'retries and replays; dedupe on it), `webhook-timestamp` (of the attempt) and `webhook-signature` ' +
      '(`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, two space-separated during a secret rotation). The body is ' +
      '`{id, type, timestamp, data}`, at most 20 KB (larger `data` becomes `{truncated: true, <ids>, url}`). ' +
      'Delivery is at least once, in no guaranteed order; only 2xx is success; 410 disables the endpoint; ' +
      '`Retry-After` on 429/503 is honoured. Verify the raw body before parsing it.',
    '',
    '| event type | published by | data |',
    '|---|---|---|',
    ...eventCatalogue().map((e) => `| \`${e.type}\` | ${e.source} | ${e.description} |`),
  ].join('\n');
}
