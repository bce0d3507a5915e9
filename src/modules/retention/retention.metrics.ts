import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from 'src/platform/metrics';
import { RETENTION_KINDS } from './retention.kinds';

@Injectable()
export class RetentionMetrics {
  readonly deleted: Counter<'kind'>;

  constructor(metrics: MetricsService) {
    this.deleted = new Counter({
      name: 'retention_deleted_total',
      help: 'Rows deleted by the retention job, by kind (webhook_deliveries, webhook_attempts, events, idempotency_keys)',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
    // Every kind is exported from the start (at 0), so a dashboard's rate() has a series before the first run.
    for (const kind of RETENTION_KINDS) this.deleted.inc({ kind }, 0);
  }
}
