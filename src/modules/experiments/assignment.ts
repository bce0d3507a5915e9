import { hash } from 'node:crypto';

/** Units are hashed into this many buckets; a variant owns a set of them (its share of traffic, to 0.01%). */
export const BUCKETS = 10_000;

/** A run of buckets `[start, end)`. */
export interface BucketRange {
  start: number;
  end: number;
}

/** Which buckets each variant owns, in variant order (the same order as the experiment's variants). */
export type BucketLayout = BucketRange[][];

/**
 * The unit's bucket: the first 4 bytes of sha256("<experiment id>:<unit id>") modulo BUCKETS. A pure function of
 * its inputs, so every replica and every restart puts a unit in the same bucket; salting with the experiment id
 * keeps a unit's buckets independent across experiments.
 */
export function bucketOf(experimentId: string, unitId: string): number {
  // The one-shot hash: the same digest as createHash's, without a Hash object per call.
  return hash('sha256', `${experimentId}:${unitId}`, 'buffer').readUInt32BE(0) % BUCKETS;
}

/** Weights as whole buckets summing to BUCKETS (largest remainder, ties to the earlier variant). */
export function bucketCounts(weights: number[]): number[] {
  const total = weights.reduce((a, w) => a + w, 0);
  if (!(total > 0)) throw new Error('weights must have a positive sum');
  const exact = weights.map((w) => (w / total) * BUCKETS);
  const counts = exact.map(Math.floor);
  let left = BUCKETS - counts.reduce((a, c) => a + c, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    counts[i] += 1;
  }
  return counts;
}

/** The first layout: each variant one contiguous run, in variant order. */
export function initialLayout(weights: number[]): BucketLayout {
  let start = 0;
  return bucketCounts(weights).map((n) => {
    const range = { start, end: start + n };
    start += n;
    return n > 0 ? [range] : [];
  });
}

/**
 * The layout for new weights that moves the fewest units: a variant that shrinks gives up buckets from the end of
 * its ranges and keeps the rest; a variant that grows keeps all it had and takes freed buckets. Only
 * sum(max(0, new - old)) buckets change hands, the least any layout can move (50/50 → 60/40 moves 10%).
 */
export function relayout(layout: BucketLayout, weights: number[]): BucketLayout {
  const target = bucketCounts(weights);
  const kept: BucketRange[][] = [];
  const freed: BucketRange[] = [];
  layout.forEach((ranges, i) => {
    let keep = target[i];
    const mine: BucketRange[] = [];
    for (const r of ranges) {
      const take = Math.min(keep, r.end - r.start);
      if (take > 0) mine.push({ start: r.start, end: r.start + take });
      if (take < r.end - r.start) freed.push({ start: r.start + take, end: r.end });
      keep -= take;
    }
    kept.push(mine);
  });
  freed.sort((a, b) => a.start - b.start);
  return kept.map((mine, i) => {
    let need = target[i] - size(mine);
    while (need > 0) {
      const r = freed[0];
      const take = Math.min(need, r.end - r.start);
      mine.push({ start: r.start, end: r.start + take });
      if (take === r.end - r.start) freed.shift();
      else r.start += take;
      need -= take;
    }
    return merge(mine);
  });
}

/** bucket → variant index, for O(1) assignment on the request path. */
export function bucketTable(layout: BucketLayout): Uint8Array {
  const table = new Uint8Array(BUCKETS);
  layout.forEach((ranges, i) => ranges.forEach((r) => table.fill(i, r.start, r.end)));
  return table;
}

const size = (ranges: BucketRange[]): number => ranges.reduce((a, r) => a + r.end - r.start, 0);

function merge(ranges: BucketRange[]): BucketRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: BucketRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === r.start) last.end = r.end;
    else out.push({ ...r });
  }
  return out;
}
