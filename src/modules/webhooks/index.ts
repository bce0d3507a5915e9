export { WebhooksModule } from './webhooks.module';
export { WebhookRetention } from './webhook-retention.service';
export {
  EndpointDisabledEvent,
  WEBHOOK_ENDPOINT_DISABLED,
  WEBHOOK_TEST,
  WEBHOOKS_EVENTS,
  WebhookTestEvent,
} from './webhooks.events';
export { WebhookAttemptEntity } from './webhook-attempt.entity';
export { WebhookDeliveryEntity } from './webhook-delivery.entity';
export { WebhookEndpointEntity } from './webhook-endpoint.entity';
// Workers, exported for tests and benchmarks that play a worker (claim, die, complete late).
export { ClaimedDelivery, WebhookDeliveryProcessor } from './webhook-delivery.processor';
export { WebhookDispatcherProcessor } from './webhook-dispatcher.processor';
