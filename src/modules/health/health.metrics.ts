import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from 'src/platform/metrics';
import { HealthService } from './health.service';

/**
 * Readiness as gauges, read at scrape time, so that Prometheus can alert on a replica that is up but not ready
 * (its database unreachable, migrations missing) and not only on one that stopped answering.
 */
@Injectable()
export class HealthMetrics {
  constructor(metrics: MetricsService, health: HealthService) {
    const registers = [metrics.registry];
    // Both gauges are collected concurrently at each scrape; they share one report.
    let pending: ReturnType<HealthService['report']> | undefined;
    const read = () => (pending ??= health.report().finally(() => (pending = undefined)));
    new Gauge({
      name: 'health_ready',
      help: 'Whether /health/ready answers 200 (1) or 503 (0)',
      registers,
      collect: async function (this: Gauge) {
        this.set((await read()).status === 'ok' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'health_component_up',
      help: 'Whether a component of readiness is up (1) or down (0); components not configured are absent',
      labelNames: ['component'],
      registers,
      collect: async function (this: Gauge<'component'>) {
        this.reset();
        for (const [component, c] of Object.entries((await read()).components)) {
          if (c.status !== 'disabled') this.set({ component }, c.status === 'up' ? 1 : 0);
        }
      },
    });
  }
}
