import { createHash } from 'node:crypto';
import { BUCKETS, bucketCounts, bucketOf, bucketTable, initialLayout, relayout } from './assignment';

const EXPERIMENT = '5b0c1f0e-8a7e-4d6c-9a43-0b1c2d3e4f50';
const units = (n: number): string[] => Array.from({ length: n }, (_, i) => `user-${i}`);

function split(table: Uint8Array, ids: string[], variants: number): number[] {
  const counts = new Array<number>(variants).fill(0);
  for (const id of ids) counts[table[bucketOf(EXPERIMENT, id)]] += 1;
  return counts;
}

describe('assignment', () => {
  it('should split 100,000 units within 0.5 percentage points of the weights when the weights are 50/30/20', () => {
    const ids = units(100_000);
    const counts = split(bucketTable(initialLayout([50, 30, 20])), ids, 3);
    const shares = counts.map((c) => (100 * c) / ids.length);
    [50, 30, 20].forEach((w, i) => expect(Math.abs(shares[i] - w)).toBeLessThanOrEqual(0.5));
  });

  it('should give a unit the same bucket every time when asked again with the same ids', () => {
    expect(bucketOf(EXPERIMENT, 'user-42')).toBe(bucketOf(EXPERIMENT, 'user-42'));
    // Fixed value: the hash is part of the contract (every replica and every release must agree).
    expect(bucketOf('e', 'u')).toBe(parseInt(createHash('sha256').update('e:u').digest('hex').slice(0, 8), 16) % 10000);
  });

  it('should move about 10% of the units when the weights change from 50/50 to 60/40', () => {
    const ids = units(100_000);
    const before = initialLayout([50, 50]);
    const after = relayout(before, [60, 40]);
    const [a, b] = [bucketTable(before), bucketTable(after)];
    const moved = ids.filter((id) => a[bucketOf(EXPERIMENT, id)] !== b[bucketOf(EXPERIMENT, id)]).length;
    expect(moved / ids.length).toBeGreaterThan(0.09);
    expect(moved / ids.length).toBeLessThan(0.11);
    expect(split(b, ids, 2).map((c) => Math.round((100 * c) / ids.length))).toEqual([60, 40]);
  });

  it('should move only the delta when a layout is changed several times and back', () => {
    let layout = initialLayout([34, 33, 33]);
    for (const weights of [
      [50, 50, 0],
      [20, 40, 40],
      [34, 33, 33],
    ]) {
      const next = relayout(layout, weights);
      const [a, b] = [bucketTable(layout), bucketTable(next)];
      let moved = 0;
      for (let i = 0; i < BUCKETS; i++) if (a[i] !== b[i]) moved += 1;
      const was = bucketCounts(layout.map((rs) => rs.reduce((s, r) => s + r.end - r.start, 0)));
      const now = bucketCounts(weights);
      expect(moved).toBe(now.reduce((s, n, i) => s + Math.max(0, n - was[i]), 0));
      layout = next;
    }
  });

  it('should sum bucket counts to 10,000 when the weights do not divide evenly', () => {
    expect(bucketCounts([1, 1, 1])).toEqual([3334, 3333, 3333]);
    expect(bucketCounts([0.7, 0.3])).toEqual([7000, 3000]);
  });
});
