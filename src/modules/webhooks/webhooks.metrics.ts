import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
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
  /** Read from the database at scrape time, so every replica reports the shared queue. */
  readonly queueDue: Gauge;
  readonly queueOldest: Gauge;

  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
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
    // Both gauges are collected concurrently at each scrape; they share one query.
    let pending: Promise<{ due: number; oldest: number }> | undefined;
    const read = () =>
      (pending ??= dataSource
        .query<{ due: number; oldest: number | null }[]>(
          `SELECT count(*)::int AS due, EXTRACT(EPOCH FROM now() - min("nextAttemptAt"))::float8 AS oldest
           FROM webhook_deliveries WHERE status = 'pending' AND "nextAttemptAt" <= now()`,
        )
        .then(([r]) => ({ due: r.due, oldest: Math.max(0, r.oldest ?? 0) }))
        // The database is unreachable: health reports it; the scrape still answers.
        .catch(() => ({ due: 0, oldest: 0 }))
        .finally(() => (pending = undefined)));
    this.queueDue = new Gauge({
      name: 'webhook_queue_due',
      help: 'Webhook deliveries that are due and not yet claimed (all replicas)',
      registers,
      collect: async function (this: Gauge) {
        this.set((await read()).due);
      },
    });
    this.queueOldest = new Gauge({
      name: 'webhook_queue_oldest_due_seconds',
      help: 'How long the oldest due, unclaimed webhook delivery has been waiting (all replicas)',
      registers,
      collect: async function (this: Gauge) {
        this.set((await read()).oldest);
      },
    });
  }
}
