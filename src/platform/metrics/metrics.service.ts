import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { boundHistogram } from './bound-histogram';

/**
 * The process's Prometheus registry. Modules register their own metrics on `registry` (one registry per app
 * instance, so tests can boot several apps in one process).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Refused requests (401, 403) by status and error code: counted, never logged one by one. */
  readonly authFailures = new Counter({
    name: 'auth_failures_total',
    help: 'Requests refused with 401 or 403, by status and error code',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Called for every error answer; counts the refusals. */
  observeProblem(status: number, code: string): void {
    if (status === 401 || status === 403) this.authFailures.inc({ status: String(status), reason: code });
  }

  /**
   * Bound children by method, route and status (see boundHistogram): a key string built per call would cost its
   * own hashing.
   */
  private readonly httpChildren = new Map<string, Map<string, Map<number, { observe(seconds: number): void }>>>();

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const byStatus = inner(inner(this.httpChildren, method), route);
    let child = byStatus.get(status);
    if (!child) {
      child = boundHistogram(this.httpDuration, { method, route, status: String(status) });
      byStatus.set(status, child);
    }
    child.observe(seconds);
  }
}

/** The map under `key` in a map of maps, added empty the first time. */
export function inner<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let map = outer.get(key);
  if (!map) outer.set(key, (map = new Map<K2, V>()));
  return map;
}
