/** Basis points without floating point where the metric is a ratio of counts. */

/** round_half_even(num × 10000 / den) for non-negative integers, in exact integer arithmetic. */
export function ratioBps(num: number | bigint, den: number | bigint): number {
  const n = BigInt(num) * 10000n;
  const d = BigInt(den);
  if (d <= 0n) throw new RangeError('ratioBps: the denominator must be positive');
  if (n < 0n) throw new RangeError('ratioBps: the numerator must not be negative');
  const q = n / d;
  const twiceRem = 2n * (n % d);
  if (twiceRem > d || (twiceRem === d && q % 2n === 1n)) return Number(q + 1n);
  return Number(q);
}

/**
 * round_half_even(value × 10000) for a real-valued metric. The product is rounded to 9 decimals first, so that a
 * value such as 0.00125 (0.00125 × 10000 = 12.499999999999998 in binary) counts as the exact half it stands for.
 */
export function realBps(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError('realBps: the value must be finite');
  const x = Math.round(value * 10000 * 1e9) / 1e9;
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export type Direction = 'higher' | 'lower';

/** The improvement of the candidate over the baseline in bps, positive when better. */
export function deltaBps(baselineBps: number, candidateBps: number, direction: Direction): number {
  return direction === 'higher' ? candidateBps - baselineBps : baselineBps - candidateBps;
}
