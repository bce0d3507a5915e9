import { wilsonInterval } from './summaries';

/** A guardrail as configured on an experiment: the metric must stay at or below `max`. */
export interface GuardrailSpec {
  metric: 'error_rate' | 'latency_p95_ms';
  max: number;
}

/** What a variant has served so far. `latencyP95Ms` is null when no latency has been recorded. */
export interface GuardrailObservation {
  requests: number;
  errors: number;
  latencyP95Ms: number | null;
}

/** One guardrail's verdict for one variant. `observed` is the point estimate (error rate or p95 in ms). */
export interface GuardrailResult {
  metric: GuardrailSpec['metric'];
  max: number;
  observed: number | null;
  breached: boolean;
  reason: string;
}

/** Options for `evaluateGuardrails`. */
export interface GuardrailOptions {
  /** Confidence of the one-sided error-rate check (default 0.95). */
  level?: number;
  /** Requests needed before a p95 latency is judged (default 20: a p95 of fewer values is the maximum, noise). */
  minRequestsForLatency?: number;
}

/**
 * Checks one variant against its guardrails.
 * error_rate is breached when the lower end of the Wilson interval (two-sided at 2·level − 1, i.e. a one-sided
 * bound at `level`) is above max: one error among three requests is not enough, a truly broken variant is caught
 * within a few tens of requests. latency_p95_ms is breached when the observed p95 exceeds max once
 * `minRequestsForLatency` requests have been served. Guardrails protect users, so they are checked at every look and
 * do not wait for minSamplesPerVariant.
 */
export function evaluateGuardrails(
  specs: readonly GuardrailSpec[],
  observation: GuardrailObservation,
  options: GuardrailOptions = {},
): GuardrailResult[] {
  const level = options.level ?? 0.95;
  const minLatency = options.minRequestsForLatency ?? 20;
  const { requests, errors, latencyP95Ms } = observation;
  return specs.map((spec) => {
    if (spec.metric === 'error_rate') {
      const observed = requests > 0 ? errors / requests : null;
      const bound = wilsonInterval({ n: requests, successes: errors }, 2 * level - 1);
      const breached = bound !== null && bound.low > spec.max;
      const reason = breached
        ? `error rate ${errors}/${requests} is above ${spec.max} (lower ${level} bound ${bound.low.toFixed(4)})`
        : 'error rate not shown to exceed the maximum';
      return { metric: spec.metric, max: spec.max, observed, breached, reason };
    }
    const judged = requests >= minLatency && latencyP95Ms !== null;
    const breached = judged && latencyP95Ms > spec.max;
    const reason = !judged
      ? `fewer than ${minLatency} requests with latency: p95 not judged yet`
      : breached
        ? `p95 latency ${latencyP95Ms} ms is above ${spec.max} ms`
        : 'p95 latency within the maximum';
    return { metric: spec.metric, max: spec.max, observed: latencyP95Ms, breached, reason };
  });
}
