import { normalCdf, normalQuantile } from './distributions';

/** Inputs for planning a two-arm comparison of proportions. */
export interface ProportionPlan {
  /** Control rate p_A. */
  baseline: number;
  /** Absolute difference δ to detect (p_B = p_A + δ). */
  minimumDetectableEffect: number;
  alpha: number;
  /** 1 − β (default 0.8). */
  power?: number;
}

/**
 * Units per arm for a fixed-horizon two-sided two-proportion test (ab-statistics.md):
 * n = (z_{1−α/2}·sqrt(2p̄(1 − p̄)) + z_{1−β}·sqrt(p_A(1 − p_A) + p_B(1 − p_B)))² / δ², rounded up.
 * Example from the reference: p = 0.5, δ = 0.01, α = 0.05, power 0.8 → about 39,000 per arm.
 */
export function fixedHorizonSamplesPerArm(plan: ProportionPlan): number {
  const { baseline: pA, minimumDetectableEffect: delta, alpha } = plan;
  const pB = pA + delta;
  const pBar = (pA + pB) / 2;
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(plan.power ?? 0.8);
  const root = za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(pA * (1 - pA) + pB * (1 - pB));
  return Math.ceil((root * root) / (delta * delta));
}

/** Inputs for planning an mSPRT: per-unit variances of each arm (p(1 − p) for proportions), the effect, α, τ. */
export interface SequentialPlan {
  controlVariance: number;
  treatmentVariance: number;
  minimumDetectableEffect: number;
  alpha: number;
  power?: number;
  /** Mixing sd; defaults to |minimumDetectableEffect| as in `mixingSdFromMde`. */
  tau?: number;
}

/**
 * Power of the mSPRT at a single look with n units per arm when the true difference is the MDE: the probability
 * that Δ_n lands outside the always-valid interval's half-width around 0 (the normal approximation of Δ_n).
 */
export function msprtPowerAt(plan: SequentialPlan, n: number): number {
  const delta = Math.abs(plan.minimumDetectableEffect);
  const tau = plan.tau ?? delta;
  const t2 = tau * tau;
  const v = (plan.controlVariance + plan.treatmentVariance) / n;
  const boundary = Math.sqrt(((v * (v + t2)) / t2) * (Math.log((v + t2) / v) - 2 * Math.log(plan.alpha)));
  const sd = Math.sqrt(v);
  return normalCdf((delta - boundary) / sd) + normalCdf((-delta - boundary) / sd);
}

/**
 * Planned horizon for an mSPRT experiment: the smallest n per arm at which a single look at n already has the
 * requested power (default 0.8) for the MDE. Looking earlier can only add detections, so within this horizon the
 * effect is found with at least that power (up to the normal approximation). It is larger than the fixed-horizon n:
 * that is the price of being allowed to look at any time.
 */
export function sequentialHorizonPerArm(plan: SequentialPlan): number {
  const power = plan.power ?? 0.8;
  let hi = 2;
  while (msprtPowerAt(plan, hi) < power) {
    hi *= 2;
    if (hi > 1e12) throw new RangeError('the effect is too small to plan for');
  }
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (msprtPowerAt(plan, mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}
