import { ErrorKind, errorFamily } from 'src/platform/errors';

const KINDS = {
  WEBHOOK_ENDPOINT_NOT_FOUND: 'not_found',
  WEBHOOK_DELIVERY_NOT_FOUND: 'not_found',
  WEBHOOK_MESSAGE_NOT_FOUND: 'not_found',
  WEBHOOK_URL_NOT_ALLOWED: 'invalid',
  WEBHOOK_EVENT_TYPE_INVALID: 'invalid',
  WEBHOOK_ENDPOINT_DISABLED: 'conflict',
  WEBHOOK_DELIVERY_IN_PROGRESS: 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type WebhookErrorCode = keyof typeof KINDS;

export class WebhookError extends errorFamily(KINDS) {}

export const endpointNotFound = (id: string): WebhookError =>
  new WebhookError('WEBHOOK_ENDPOINT_NOT_FOUND', `No webhook endpoint ${id}.`);
