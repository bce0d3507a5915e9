import type { Counter, LabelValues } from 'prom-client';

/** A counter bound to one label set. */
export interface Bound {
  inc(): void;
}

class PendingCount implements Bound {
  pending = 0;

  constructor(readonly labels: LabelValues<string>) {}

  inc(): void {
    this.pending++;
  }
}

interface Hookable {
  collect?: () => unknown;
  reset(): void;
}

/** Per counter, its children by label set: binding the same labels again (e.g. per experiment refresh) reuses one. */
const childrenOf = new WeakMap<object, Map<string, PendingCount>>();

/**
 * A child of `counter` whose increments are added up here and handed to prom-client when the counter is read (its
 * `collect`, which every scrape and `get()` runs). prom-client's own child (`labels()`) hashes its label object
 * into a string on every `inc`: some 450 bytes of garbage per increment of a four-label counter, several times
 * per predict request. A series appears once it has been incremented, as with `labels()`; `reset()` drops what
 * is pending; the same labels bound twice give the same child.
 */
export function boundCounter<T extends string>(counter: Counter<T>, labels: LabelValues<T>): Bound {
  let children = childrenOf.get(counter);
  if (!children) {
    children = new Map();
    childrenOf.set(counter, children);
    hook(counter, children);
  }
  const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  let child = children.get(key);
  if (!child) children.set(key, (child = new PendingCount(labels)));
  return child;
}

function hook(metric: Hookable, children: Map<string, PendingCount>): void {
  const collect = metric.collect;
  metric.collect = function (this: Hookable) {
    for (const child of children.values()) {
      if (child.pending === 0) continue;
      (this as unknown as Counter<string>).inc(child.labels, child.pending);
      child.pending = 0;
    }
    return collect?.call(this);
  };
  const reset = metric.reset;
  metric.reset = function (this: Hookable) {
    for (const child of children.values()) child.pending = 0;
    reset.call(this);
  };
}
