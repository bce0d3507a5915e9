import type { LabelValues } from 'prom-client';

/** A child holding what was counted since prom-client last read its metric. */
export interface PendingChild<M> {
  readonly labels: LabelValues<string>;
  /** Adds what is pending to the metric's series and forgets it. */
  handOver(metric: M): void;
  /** Forgets what is pending (the metric was reset). */
  drop(): void;
}

interface Hookable {
  collect?: () => unknown;
  reset(): void;
}

const childrenOf = new WeakMap<object, Map<string, PendingChild<never>>>();

/**
 * The metric's child for `labels`, made by `make` the first time (the same labels bound again give the same child).
 * The first binding wraps the metric's `collect` (run by every scrape and `get()`) to hand every child's pending
 * counts over before it is read, and its `reset` to drop them.
 */
export function pendingChild<M extends object, C extends PendingChild<M>>(
  metric: M,
  labels: LabelValues<string>,
  make: () => C,
): C {
  let children = childrenOf.get(metric) as Map<string, C> | undefined;
  if (!children) {
    children = new Map();
    childrenOf.set(metric, children);
    hook(metric as unknown as Hookable, children);
  }
  const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  let child = children.get(key);
  if (!child) children.set(key, (child = make()));
  return child;
}

function hook<M>(metric: Hookable, children: Map<string, PendingChild<M>>): void {
  const collect = metric.collect;
  metric.collect = function (this: Hookable) {
    for (const child of children.values()) child.handOver(this as unknown as M);
    return collect?.call(this);
  };
  const reset = metric.reset;
  metric.reset = function (this: Hookable) {
    for (const child of children.values()) child.drop();
    reset.call(this);
  };
}
