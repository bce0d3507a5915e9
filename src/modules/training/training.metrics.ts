import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from 'src/platform/metrics';

@Injectable()
export class TrainingMetrics {
  readonly runs: Counter<'status'>;

  constructor(metrics: MetricsService) {
    this.runs = new Counter({
      name: 'training_runs_total',
      help: 'Training runs that ended, by status (registered, failed, cancelled)',
      labelNames: ['status'] as const,
      registers: [metrics.registry],
    });
    for (const status of ['registered', 'failed', 'cancelled']) this.runs.inc({ status }, 0);
  }
}
