import { studentTQuantile, twoSidedCriticalZ } from './distributions';

/** A two-sided interval; `level` is the coverage it was built for (0.95 for alpha = 0.05). */
export interface Interval {
  low: number;
  high: number;
  level: number;
}

/** Counts for a 0/1 metric in one variant: `successes` of `n` outcomes. */
export interface ProportionCounts {
  n: number;
  successes: number;
}

/** Moments of a numeric metric in one variant. `variance` is the sample variance (n − 1 denominator). */
export interface ContinuousMoments {
  n: number;
  mean: number;
  variance: number;
}

/** Per-variant summary shown in results: the point estimate and its interval. */
export interface MetricSummary extends ContinuousMoments {
  kind: 'proportion' | 'continuous';
  interval: Interval | null;
  /** How `interval` was built, so the results can say so. */
  intervalMethod: 'wilson' | 't';
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`interval level must be in (0, 1), got ${level}`);
}

/**
 * Wilson score interval for a proportion. Chosen over the Wald interval because results are read at every
 * sample size, including tiny ones and rates near 0 or 1 (error rates), where Wald has poor coverage and can
 * leave [0, 1] or collapse to a point at 0/n. Returns null when n = 0.
 */
export function wilsonInterval(counts: ProportionCounts, level = 0.95): Interval | null {
  checkLevel(level);
  const { n, successes } = counts;
  if (n <= 0) return null;
  const z = twoSidedCriticalZ(level);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = ((z / (1 + z2n)) * Math.sqrt(p * (1 - p) + z2n / 4)) / Math.sqrt(n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half), level };
}

/**
 * Summary of a 0/1 metric: mean p̂ = successes/n, variance p̂(1 − p̂) (the per-unit Bernoulli variance, which is
 * what the tests plug in), Wilson interval. Assumes independent units, each counted once.
 */
export function summarizeProportion(counts: ProportionCounts, level = 0.95): MetricSummary {
  const { n, successes } = counts;
  if (!Number.isInteger(n) || n < 0 || successes < 0 || successes > n) {
    throw new RangeError(`invalid proportion counts: ${successes}/${n}`);
  }
  const mean = n > 0 ? successes / n : 0;
  return {
    kind: 'proportion',
    n,
    mean,
    variance: mean * (1 - mean),
    interval: wilsonInterval(counts, level),
    intervalMethod: 'wilson',
  };
}

/**
 * Summary of a numeric metric: the mean with a Student t interval (mean ± t_{n−1} · s/√n). t rather than normal
 * because small early samples would otherwise get intervals that are too narrow; for large n they agree.
 * Assumes independent units; the interval is for the mean (CLT), not for individual values. Null interval below n = 2.
 */
export function summarizeContinuous(moments: ContinuousMoments, level = 0.95): MetricSummary {
  checkLevel(level);
  const { n, mean, variance } = moments;
  if (!Number.isInteger(n) || n < 0 || !(variance >= 0))
    throw new RangeError(`invalid moments: n=${n}, variance=${variance}`);
  let interval: Interval | null = null;
  if (n >= 2) {
    const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * Math.sqrt(variance / n);
    interval = { low: mean - half, high: mean + half, level };
  }
  return { kind: 'continuous', n, mean, variance, interval, intervalMethod: 't' };
}

/**
 * Moments from running sums (what SQL `count`, `sum`, `sum(x*x)` give). Cancellation makes this inexact when the
 * mean is large against the spread (|mean|/sd above about 1e6); prefer SQL `avg`/`var_samp` or Welford then.
 */
export function momentsFromSums(sums: { n: number; sum: number; sumOfSquares: number }): ContinuousMoments {
  const { n, sum, sumOfSquares } = sums;
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumOfSquares - sum * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

/** Running state of Welford's algorithm: n, mean and m2 = Σ(x − mean)². Plain data, so it can be stored as JSON. */
export interface WelfordState {
  n: number;
  mean: number;
  m2: number;
}

/** The empty Welford state. */
export function welfordEmpty(): WelfordState {
  return { n: 0, mean: 0, m2: 0 };
}

/** Adds one value to a Welford state (returns a new state; numerically stable for any mean). */
export function welfordAdd(state: WelfordState, value: number): WelfordState {
  const n = state.n + 1;
  const delta = value - state.mean;
  const mean = state.mean + delta / n;
  return { n, mean, m2: state.m2 + delta * (value - mean) };
}

/** Merges two Welford states (Chan et al.), e.g. the states of two replicas or two flush batches. */
export function welfordMerge(a: WelfordState, b: WelfordState): WelfordState {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

/** Moments (sample variance) from a Welford state. */
export function momentsFromWelford(state: WelfordState): ContinuousMoments {
  return { n: state.n, mean: state.mean, variance: state.n > 1 ? state.m2 / (state.n - 1) : 0 };
}
