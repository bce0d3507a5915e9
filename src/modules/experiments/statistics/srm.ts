import { chiSquareSf } from './distributions';

/** p below which a sample-ratio mismatch is flagged (and promotion blocked). */
export const SRM_P_THRESHOLD = 0.001;

/** Result of the sample-ratio-mismatch check. */
export interface SampleRatioCheck {
  chiSquare: number;
  df: number;
  pValue: number;
  flagged: boolean;
  expected: number[];
}

/**
 * Chi-square goodness of fit of the observed units per variant against the weights (scipy `chisquare`);
 * flagged when p < 0.001: assignment or logging is broken and no other result can be trusted.
 * Weights need not sum to 1. They must be the weights in force while all counted units were assigned: after a
 * weight change, count only units assigned since the change (or pass time-averaged weights).
 * A weight-0 variant is left out when it has no units and forces a flag when it has some.
 * With fewer than two variants left, or no units, nothing can be tested: p = 1, not flagged.
 */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[]): SampleRatioCheck {
  if (observed.length !== weights.length) throw new RangeError('observed and weights differ in length');
  if (weights.some((w) => !(w >= 0)) || observed.some((o) => !(o >= 0)))
    throw new RangeError('negative count or weight');
  const total = observed.reduce((s, o) => s + o, 0);
  const weightSum = weights.reduce((s, w) => s + w, 0);
  const expected = weights.map((w) => (weightSum > 0 ? (total * w) / weightSum : 0));
  if (observed.some((o, i) => weights[i] === 0 && o > 0)) {
    return { chiSquare: Infinity, df: Math.max(1, observed.length - 1), pValue: 0, flagged: true, expected };
  }
  const kept = observed.map((o, i) => [o, expected[i]] as const).filter(([, e]) => e > 0);
  if (kept.length < 2 || total === 0)
    return { chiSquare: 0, df: Math.max(0, kept.length - 1), pValue: 1, flagged: false, expected };
  const chiSquare = kept.reduce((s, [o, e]) => s + (o - e) ** 2 / e, 0);
  const df = kept.length - 1;
  const pValue = chiSquareSf(chiSquare, df);
  return { chiSquare, df, pValue, flagged: pValue < SRM_P_THRESHOLD, expected };
}
