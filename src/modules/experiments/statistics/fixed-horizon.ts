import { normalSf, studentTQuantile, studentTTwoSidedP, twoSidedCriticalZ } from './distributions';
import { ContinuousMoments, Interval, MetricSummary, ProportionCounts } from './summaries';

/** The label every fixed-horizon result carries: peeking at it repeatedly inflates false positives. */
export const FIXED_HORIZON_VALIDITY = 'valid only at the planned sample size' as const;

/** A fixed-horizon two-sided test of treatment against control. */
export interface FixedHorizonTest {
  test: 'two_proportion_z' | 'welch_t';
  statistic: number;
  /** Degrees of freedom (Welch–Satterthwaite) for the t test; null for z. */
  df: number | null;
  pValue: number;
  validity: typeof FIXED_HORIZON_VALIDITY;
}

/**
 * Pooled two-proportion z test, two-sided: z = (p̂_B − p̂_A)/sqrt(p̄(1 − p̄)(1/n_A + 1/n_B)).
 * Same as statsmodels `proportions_ztest` (pooled). Null when an arm is empty or p̄ is 0 or 1 (no variance).
 * Valid only when looked at once, at the planned sample size.
 */
export function twoProportionZTest(control: ProportionCounts, treatment: ProportionCounts): FixedHorizonTest | null {
  const { n: nA, successes: xA } = control;
  const { n: nB, successes: xB } = treatment;
  if (nA <= 0 || nB <= 0) return null;
  const pooled = (xA + xB) / (nA + nB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  if (!(se > 0)) return null;
  const z = (xB / nB - xA / nA) / se;
  return {
    test: 'two_proportion_z',
    statistic: z,
    df: null,
    pValue: 2 * normalSf(Math.abs(z)),
    validity: FIXED_HORIZON_VALIDITY,
  };
}

function welchParts(control: ContinuousMoments, treatment: ContinuousMoments): { se: number; df: number } | null {
  if (control.n < 2 || treatment.n < 2) return null;
  const vA = control.variance / control.n;
  const vB = treatment.variance / treatment.n;
  const v = vA + vB;
  if (!(v > 0)) return null;
  const df = (v * v) / ((vA * vA) / (control.n - 1) + (vB * vB) / (treatment.n - 1));
  return { se: Math.sqrt(v), df };
}

/**
 * Welch's unequal-variance t test, two-sided, with the Welch–Satterthwaite df (scipy `ttest_ind(equal_var=False)`).
 * Null when an arm has fewer than 2 values or both variances are 0. Valid only at the planned sample size.
 */
export function welchTTest(control: ContinuousMoments, treatment: ContinuousMoments): FixedHorizonTest | null {
  const parts = welchParts(control, treatment);
  if (!parts) return null;
  const t = (treatment.mean - control.mean) / parts.se;
  return {
    test: 'welch_t',
    statistic: t,
    df: parts.df,
    pValue: studentTTwoSidedP(t, parts.df),
    validity: FIXED_HORIZON_VALIDITY,
  };
}

/** Treatment against control: absolute difference and relative lift (B/A − 1), each with a fixed-horizon interval. */
export interface Comparison {
  difference: number;
  differenceInterval: Interval | null;
  /** B/A − 1; null when the control mean is 0. */
  relativeLift: number | null;
  /** Delta-method interval on log(B/A); null unless both means are positive and both variances are estimable. */
  relativeLiftInterval: Interval | null;
  validity: typeof FIXED_HORIZON_VALIDITY;
}

/**
 * Compares a treatment summary with the control summary.
 * Difference interval: proportions use the unpooled Wald interval (p̂_B − p̂_A) ± z·SE (the DeltaOne interval of
 * ab-statistics.md); continuous metrics use the Welch t quantile with the Welch df. Relative lift: delta method,
 * Var(log(B/A)) ≈ s_B²/(n_B·B²) + s_A²/(n_A·A²), interval exponentiated minus 1. Like the tests, these intervals are
 * valid only at the planned sample size; the always-valid interval of the difference comes from `msprt`.
 */
export function compareToControl(control: MetricSummary, treatment: MetricSummary, level = 0.95): Comparison {
  const difference = treatment.mean - control.mean;
  const relativeLift = control.mean !== 0 ? treatment.mean / control.mean - 1 : null;
  let differenceInterval: Interval | null = null;
  let relativeLiftInterval: Interval | null = null;
  const zq = twoSidedCriticalZ(level);
  if (control.n > 0 && treatment.n > 0) {
    let half: number | null = null;
    if (treatment.kind === 'proportion') {
      half = zq * Math.sqrt(control.variance / control.n + treatment.variance / treatment.n);
    } else {
      const parts = welchParts(control, treatment);
      if (parts) half = studentTQuantile(1 - (1 - level) / 2, parts.df) * parts.se;
    }
    if (half !== null) differenceInterval = { low: difference - half, high: difference + half, level };
    if (control.mean > 0 && treatment.mean > 0) {
      const varLog =
        treatment.variance / (treatment.n * treatment.mean ** 2) + control.variance / (control.n * control.mean ** 2);
      if (varLog > 0) {
        const logRatio = Math.log(treatment.mean / control.mean);
        const h = zq * Math.sqrt(varLog);
        relativeLiftInterval = { low: Math.exp(logRatio - h) - 1, high: Math.exp(logRatio + h) - 1, level };
      }
    }
  }
  return { difference, differenceInterval, relativeLift, relativeLiftInterval, validity: FIXED_HORIZON_VALIDITY };
}
