import type { Counter, LabelValues } from 'prom-client';
import { PendingChild, pendingChild } from './pending-children';

/** A counter bound to one label set. */
export interface Bound {
  inc(): void;
}

class PendingCount implements Bound, PendingChild<Counter<string>> {
  pending = 0;

  constructor(readonly labels: LabelValues<string>) {}

  inc(): void {
    this.pending++;
  }

  handOver(counter: Counter<string>): void {
    if (this.pending === 0) return;
    counter.inc(this.labels, this.pending);
    this.pending = 0;
  }

  drop(): void {
    this.pending = 0;
  }
}

/**
 * A child of `counter` whose increments are added up here and handed to prom-client when the counter is read (its
 * `collect`, which every scrape and `get()` runs). prom-client's own child (`labels()`) hashes its label object
 * into a string on every `inc`: some 450 bytes of garbage per increment of a four-label counter, several times
 * per predict request. A series appears once it has been incremented, as with `labels()`; `reset()` drops what
 * is pending; the same labels bound twice give the same child.
 */
export function boundCounter<T extends string>(counter: Counter<T>, labels: LabelValues<T>): Bound {
  return pendingChild(counter as unknown as Counter<string>, labels, () => new PendingCount(labels));
}
