import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from 'src/platform/metrics';

/** Prometheus metrics of webhook delivery, on the app's registry. */
@Injectable()
export class WebhooksMetrics {
  /** One per attempt and per breaker deferral: success, retry, failed, disabled, refused, deferred. */
  readonly deliveries: Counter<'outcome'>;
  readonly attemptDuration: Histogram<'outcome'>;
  /** How long after it was due a delivery was claimed. */
  readonly queueLag: Histogram;
  /** How long after it was published an event was fanned out to deliveries. */
  readonly dispatchLag: Histogram;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (success, retry, failed, disabled, refused) and breaker deferrals (deferred)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Duration of webhook HTTP attempts by outcome (success, http_error, timeout, network_error, refused)',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    });
    this.queueLag = new Histogram({
      name: 'webhook_queue_lag_seconds',
      help: 'Time between a webhook delivery being due and a worker claiming it',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.dispatchLag = new Histogram({
      name: 'webhook_dispatch_lag_seconds',
      help: 'Time between an event being published and its webhook deliveries being created',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
  }
}
