import type { Histogram, LabelValues } from 'prom-client';

/** A histogram bound to one label set. */
export interface BoundObserver {
  observe(value: number): void;
}

/** prom-client's per-series state (lib/histogram.js, createBaseValues), which the pending counts are added to. */
interface SeriesValues {
  labels: LabelValues<string>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

interface Hookable {
  collect?: () => unknown;
  reset(): void;
  zero(labels: LabelValues<string>): void;
  upperBounds: number[];
  hashMap: Record<string, SeriesValues>;
}

class PendingObservations implements BoundObserver {
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: LabelValues<string>,
    private readonly upperBounds: readonly number[],
  ) {
    this.buckets = new Float64Array(upperBounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    this.sum += value;
    this.count++;
    // A value over the last bound counts in +Inf only (sum and count), as prom-client does.
    for (let i = 0; i < this.upperBounds.length; i++) {
      if (value <= this.upperBounds[i]) {
        this.buckets[i]++;
        return;
      }
    }
  }
}

const childrenOf = new WeakMap<object, Map<string, PendingObservations>>();

/**
 * A child of `histogram` whose observations are counted here, per bucket, and added to prom-client's series when
 * the histogram is read (its `collect`, run by every scrape and `get()`). prom-client's own child (`labels()`)
 * hashes its label object and turns the bucket bound into a property name on every `observe`: some 400 bytes of
 * garbage per observation, several per predict request. The series is the same as observe() would make.
 */
export function boundHistogram<T extends string>(histogram: Histogram<T>, labels: LabelValues<T>): BoundObserver {
  const metric = histogram as unknown as Hookable;
  let children = childrenOf.get(histogram);
  if (!children) {
    children = new Map();
    childrenOf.set(histogram, children);
    hook(metric, children);
  }
  const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  let child = children.get(key);
  if (!child) children.set(key, (child = new PendingObservations(labels, metric.upperBounds)));
  return child;
}

function sameLabels(a: LabelValues<string>, b: LabelValues<string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => String(a[k]) === String(b[k]));
}

function seriesOf(metric: Hookable, labels: LabelValues<string>): SeriesValues {
  const find = () => Object.values(metric.hashMap).find((s) => sameLabels(s.labels, labels));
  let series = find();
  if (!series) {
    metric.zero(labels);
    series = find()!;
  }
  return series;
}

function hook(metric: Hookable, children: Map<string, PendingObservations>): void {
  const collect = metric.collect;
  metric.collect = function (this: Hookable) {
    for (const child of children.values()) {
      if (child.count === 0) continue;
      const series = seriesOf(this, child.labels);
      series.sum += child.sum;
      series.count += child.count;
      for (let i = 0; i < this.upperBounds.length; i++) {
        if (child.buckets[i] > 0) series.bucketValues[this.upperBounds[i]] += child.buckets[i];
      }
      child.buckets.fill(0);
      child.sum = 0;
      child.count = 0;
    }
    return collect?.call(this);
  };
  const reset = metric.reset;
  metric.reset = function (this: Hookable) {
    for (const child of children.values()) {
      child.buckets.fill(0);
      child.sum = 0;
      child.count = 0;
    }
    reset.call(this);
  };
}
