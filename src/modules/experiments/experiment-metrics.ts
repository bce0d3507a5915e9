import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { boundCounter, boundHistogram, MetricsService } from 'src/platform/metrics';
import type { Assignment } from './running-experiments';

/** What one routed request did, as the inference module reports it. */
export interface ServedObservation {
  seconds: number;
  error: boolean;
  /** The variant failed and the previous production version answered. */
  fallback: boolean;
}

/** What the shadow version did with a routed request's input. */
export type ShadowObservation = { kind: 'ran'; seconds: number; error: boolean; agreed: boolean } | { kind: 'dropped' };

interface Children {
  requests: Record<'ok' | 'error' | 'fallback', { inc(): void }>;
  latency: { observe(v: number): void };
}

/**
 * Prometheus metrics by experiment and variant: requests (by outcome and assignment), latency, and the shadow's
 * runs, drops and agreement. Children are bound once per assignment (no label hashing per request).
 */
@Injectable()
export class ExperimentMetrics {
  private readonly requests: Counter<'experiment' | 'variant' | 'assignment' | 'outcome'>;
  private readonly latency: Histogram<'experiment' | 'variant' | 'assignment'>;
  private readonly shadow: Counter<'experiment' | 'result'>;
  private readonly shadowLatency: Histogram<'experiment'>;
  private readonly bound = new WeakMap<Assignment, Children>();

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'experiment_requests_total',
      help: 'Requests routed by an A/B experiment, by variant, assignment (unit or random) and outcome (ok, error, fallback)',
      labelNames: ['experiment', 'variant', 'assignment', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'experiment_request_duration_seconds',
      help: 'Time to answer a routed request, by experiment, variant and assignment',
      labelNames: ['experiment', 'variant', 'assignment'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.shadow = new Counter({
      name: 'experiment_shadow_total',
      help: 'Shadow runs by result: agreed, disagreed, error, dropped (the server was busy)',
      labelNames: ['experiment', 'result'],
      registers,
    });
    this.shadowLatency = new Histogram({
      name: 'experiment_shadow_duration_seconds',
      help: 'Time of one shadow run',
      labelNames: ['experiment'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  served(a: Assignment, o: ServedObservation): void {
    const c = this.children(a);
    c.requests[o.error ? 'error' : o.fallback ? 'fallback' : 'ok'].inc();
    c.latency.observe(o.seconds);
  }

  shadowed(a: Assignment, o: ShadowObservation): void {
    if (o.kind === 'dropped') {
      this.shadow.inc({ experiment: a.experimentId, result: 'dropped' });
      return;
    }
    const result = o.error ? 'error' : o.agreed ? 'agreed' : 'disagreed';
    this.shadow.inc({ experiment: a.experimentId, result });
    this.shadowLatency.observe({ experiment: a.experimentId }, o.seconds);
  }

  private children(a: Assignment): Children {
    let c = this.bound.get(a);
    if (!c) {
      const labels = { experiment: a.experimentId, variant: a.variant, assignment: a.random ? 'random' : 'unit' };
      c = {
        requests: {
          ok: boundCounter(this.requests, { ...labels, outcome: 'ok' }),
          error: boundCounter(this.requests, { ...labels, outcome: 'error' }),
          fallback: boundCounter(this.requests, { ...labels, outcome: 'fallback' }),
        },
        latency: boundHistogram(this.latency, labels),
      };
      this.bound.set(a, c);
    }
    return c;
  }
}
