import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { addApiDescription } from 'src/platform/http';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookBreakerService } from './webhook-breaker.service';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDispatcherProcessor } from './webhook-dispatcher.processor';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookHttpClient } from './webhook-http.client';
import { WebhookRetention } from './webhook-retention.service';
import { WebhookSecretsService } from './webhook-secrets.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksMetrics } from './webhooks.metrics';
import { webhooksApiDescription } from './webhooks.events';

// Read when the document is built: by then every module has declared its events.
addApiDescription(webhooksApiDescription);

@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpointEntity, WebhookDeliveryEntity, WebhookAttemptEntity])],
  controllers: [WebhooksController],
  providers: [
    WebhookSecretsService,
    WebhookHttpClient,
    WebhooksMetrics,
    WebhookBreakerService,
    WebhookDeliveryProcessor,
    WebhookDispatcherProcessor,
    WebhookEndpointsService,
    WebhookDeliveriesService,
    WebhookRetention,
  ],
  exports: [WebhookRetention],
})
export class WebhooksModule {}
