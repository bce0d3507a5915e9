import { seededNormal, seededUniform } from '../../../../test/support/seeded-random';
import {
  emptyLatencyHistogram,
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKET_COUNT,
  latencyBucketIndex,
  percentilesFromHistogram,
  percentilesFromSample,
} from './percentiles';

describe('latency percentiles', () => {
  it('should match numpy.percentile (linear) when given a small sample', () => {
    // vals = [12.0, 3.5, 7.25, 100.0, 42.0, 8.0, 9.5, 15.0, 1.0, 60.0]
    // [np.percentile(vals, q) for q in (50, 95, 99)] → 10.75, 81.99999999999996, 96.4
    const p = percentilesFromSample([12, 3.5, 7.25, 100, 42, 8, 9.5, 15, 1, 60]);
    expect(p.p50).toBeCloseTo(10.75, 12);
    expect(p.p95).toBeCloseTo(82, 10);
    expect(p.p99).toBeCloseTo(96.4, 10);
  });

  it('should return nulls when there is no latency yet', () => {
    expect(percentilesFromSample([])).toEqual({ p50: null, p95: null, p99: null });
    expect(percentilesFromHistogram(emptyLatencyHistogram())).toEqual({ p50: null, p95: null, p99: null });
  });

  it('should put a latency on an exact bound into that bound’s bucket and huge ones into the overflow', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(LATENCY_BUCKET_BOUNDS_MS[10])).toBe(10);
    expect(latencyBucketIndex(LATENCY_BUCKET_BOUNDS_MS[10] * 1.0001)).toBe(11);
    expect(latencyBucketIndex(1e9)).toBe(LATENCY_BUCKET_COUNT - 1);
  });

  it('should stay within 9% of the exact percentiles when 20,000 seeded log-normal latencies are bucketed', () => {
    const normal = seededNormal(seededUniform(42));
    const values = Array.from({ length: 20_000 }, () => Math.exp(Math.log(40) + 0.8 * normal()));
    const histogram = emptyLatencyHistogram();
    for (const v of values) histogram[latencyBucketIndex(v)] += 1;
    const exact = percentilesFromSample(values);
    const estimated = percentilesFromHistogram(histogram);
    for (const key of ['p50', 'p95', 'p99'] as const) {
      expect(Math.abs(estimated[key]! / exact[key]! - 1)).toBeLessThan(0.09);
    }
  });
});
