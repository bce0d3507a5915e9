/** Latency percentiles as shown in results. Null when there is no data. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Quantile q (0..1) of values already sorted ascending, linear interpolation between order statistics (numpy's
 * default, PostgreSQL `percentile_cont`). Null for an empty array.
 */
export function quantileOfSorted(sorted: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  if (sorted.length === 0) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Exact p50/p95/p99 of a latency sample (the array is copied, not modified). */
export function percentilesFromSample(values: readonly number[]): LatencyPercentiles {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  return { p50: quantileOfSorted(arr, 0.5), p95: quantileOfSorted(arr, 0.95), p99: quantileOfSorted(arr, 0.99) };
}

const HISTOGRAM_FIRST_BOUND_MS = 0.5;
const HISTOGRAM_STEPS_PER_DOUBLING = 8;
const HISTOGRAM_FINITE_BUCKETS = 144;

/**
 * Upper bounds (ms) of the latency histogram buckets: 0.5 ms · 2^(i/8) for i = 0..143, i.e. 0.5 ms to about
 * 137 s, each bucket about 9% wider than the previous. One more bucket (index 144) holds everything above.
 * This is what the experiments module should store per variant: 145 counters, constant memory, incremented in the
 * batched log flush and mergeable across replicas by adding, and still there after the log rows are deleted by
 * retention. Percentiles read from it are within one bucket (about 9% relative) of the exact ones.
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = Array.from(
  { length: HISTOGRAM_FINITE_BUCKETS },
  (_, i) => HISTOGRAM_FIRST_BOUND_MS * 2 ** (i / HISTOGRAM_STEPS_PER_DOUBLING),
);

/** Number of counters in a latency histogram (finite buckets plus the overflow bucket). */
export const LATENCY_BUCKET_COUNT = HISTOGRAM_FINITE_BUCKETS + 1;

/** Index of the histogram bucket a latency falls into (upper bounds inclusive, as in Prometheus). */
export function latencyBucketIndex(latencyMs: number): number {
  if (!(latencyMs > HISTOGRAM_FIRST_BOUND_MS)) return 0;
  const i = Math.ceil(Math.log2(latencyMs / HISTOGRAM_FIRST_BOUND_MS) * HISTOGRAM_STEPS_PER_DOUBLING - 1e-9);
  if (i >= HISTOGRAM_FINITE_BUCKETS) return HISTOGRAM_FINITE_BUCKETS;
  // The log can land one bucket off at an exact bound; the comparison settles it.
  return latencyMs > LATENCY_BUCKET_BOUNDS_MS[i] ? i + 1 : i;
}

/** An empty latency histogram (LATENCY_BUCKET_COUNT zeros). */
export function emptyLatencyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
}

/**
 * Quantile q of a latency histogram with the buckets of LATENCY_BUCKET_BOUNDS_MS: linear interpolation inside the
 * bucket holding rank q·total (Prometheus `histogram_quantile`). A quantile in the overflow bucket is reported as
 * the last finite bound (a lower bound of the truth). Null when the histogram is empty.
 */
export function quantileFromHistogram(counts: readonly number[], q: number): number | null {
  if (counts.length !== LATENCY_BUCKET_COUNT)
    throw new RangeError(`histogram must have ${LATENCY_BUCKET_COUNT} buckets`);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < HISTOGRAM_FINITE_BUCKETS; i++) {
    const before = cumulative;
    cumulative += counts[i];
    if (cumulative >= rank && counts[i] > 0) {
      const lower = i === 0 ? 0 : LATENCY_BUCKET_BOUNDS_MS[i - 1];
      const upper = LATENCY_BUCKET_BOUNDS_MS[i];
      return lower + ((upper - lower) * (rank - before)) / counts[i];
    }
  }
  return LATENCY_BUCKET_BOUNDS_MS[HISTOGRAM_FINITE_BUCKETS - 1];
}

/** p50/p95/p99 from a latency histogram (see quantileFromHistogram for the estimate's error). */
export function percentilesFromHistogram(counts: readonly number[]): LatencyPercentiles {
  return {
    p50: quantileFromHistogram(counts, 0.5),
    p95: quantileFromHistogram(counts, 0.95),
    p99: quantileFromHistogram(counts, 0.99),
  };
}
