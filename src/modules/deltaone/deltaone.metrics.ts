import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from 'src/platform/metrics';

/** DeltaOne decisions in Prometheus (the dashboard's "DeltaOne decisions" panel). */
@Injectable()
export class DeltaOneMetrics {
  /** One per stored decision, by its reason (ACCEPTED or the first failing gate). */
  readonly decisions: Counter<'reason'>;

  constructor(metrics: MetricsService) {
    this.decisions = new Counter({
      name: 'deltaone_decisions_total',
      help: 'DeltaOne decisions stored, by reason (ACCEPTED or the first failing gate)',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }
}
