import { ContinuousMoments, Interval } from './summaries';

/** Input of one mSPRT look for a treatment against the control. */
export interface MsprtInput {
  control: ContinuousMoments;
  treatment: ContinuousMoments;
  /** Mixing standard deviation τ of the N(0, τ²) mixture over the true difference (see `mixingSdFromMde`). */
  tau: number;
  alpha: number;
  /** The always-valid p-value returned by the previous look (1 before the first). */
  previousPValue?: number;
}

/** One mSPRT look. */
export interface MsprtResult {
  /** Δ_n = mean_B − mean_A. */
  difference: number;
  /** V_n = s_A²/n_A + s_B²/n_B. */
  variance: number;
  /** log Λ_n (logged because Λ overflows for strong effects). 0 when V_n is not estimable. */
  logLikelihoodRatio: number;
  /** Always-valid p-value: min(previous, 1/Λ_n). Store it and pass it back as `previousPValue` at the next look. */
  pValue: number;
  /** Always-valid interval for the difference at this look; null when V_n is not estimable. */
  interval: Interval | null;
  significant: boolean;
}

/**
 * The mixing standard deviation for the mSPRT: τ = |minimumDetectableEffect|, in the metric's units (an absolute
 * difference, e.g. 0.01 for one percentage point). ab-statistics.md: τ about the smallest effect worth detecting
 * puts the test's power where it matters.
 */
export function mixingSdFromMde(minimumDetectableEffect: number): number {
  const tau = Math.abs(minimumDetectableEffect);
  if (!(tau > 0) || !Number.isFinite(tau))
    throw new RangeError(`minimumDetectableEffect must be non-zero, got ${minimumDetectableEffect}`);
  return tau;
}

/**
 * Mixture sequential probability ratio test with a normal mixture (Johari, Pekelis, Walsh, "Always Valid
 * Inference", 2017), on the difference of means with plug-in variances:
 * Λ_n = sqrt(V/(V + τ²)) · exp(τ²Δ²/(2V(V + τ²))), p_n = min(p_{n−1}, 1/Λ_n), and the always-valid interval
 * Δ ± sqrt(V(V + τ²)/τ² · (log((V + τ²)/V) − 2 log α)).
 * Assumptions: independent units, means approximately normal (CLT: both arms need some tens of outcomes, which is
 * why decisions also require minSamplesPerVariant). The p-value is valid however often it is looked at, provided
 * the running minimum is carried over from look to look. For proportions pass moments with variance p̂(1 − p̂).
 * When V_n is 0 (an arm with fewer than 2 outcomes, or no variation at all) the look carries no evidence: Λ = 1.
 */
export function msprt(input: MsprtInput): MsprtResult {
  const { control, treatment, tau, alpha } = input;
  const previous = Math.min(1, input.previousPValue ?? 1);
  const difference = treatment.mean - control.mean;
  const estimable = control.n >= 2 && treatment.n >= 2;
  const v = estimable ? control.variance / control.n + treatment.variance / treatment.n : 0;
  if (!(v > 0)) {
    return {
      difference,
      variance: v,
      logLikelihoodRatio: 0,
      pValue: previous,
      interval: null,
      significant: previous <= alpha,
    };
  }
  const t2 = tau * tau;
  const logLikelihoodRatio = 0.5 * Math.log(v / (v + t2)) + (t2 * difference * difference) / (2 * v * (v + t2));
  const pValue = Math.min(previous, Math.exp(-logLikelihoodRatio));
  const half = Math.sqrt(((v * (v + t2)) / t2) * (Math.log((v + t2) / v) - 2 * Math.log(alpha)));
  return {
    difference,
    variance: v,
    logLikelihoodRatio,
    pValue,
    interval: { low: difference - half, high: difference + half, level: 1 - alpha },
    significant: pValue <= alpha,
  };
}
