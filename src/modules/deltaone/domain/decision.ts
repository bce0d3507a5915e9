/** The DeltaOne decision: gates in a fixed order, the first one failing is the reason. Pure and deterministic. */

export const DECISION_REASONS = [
  'INSUFFICIENT_SAMPLES',
  'COOLDOWN_ACTIVE',
  'BENCHMARK_LEAKAGE',
  'DELTA_BELOW_THRESHOLD',
  'NOT_SIGNIFICANT',
  'ACCEPTED',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export interface DeltaOneSettingsValues {
  minExamples: number;
  cooldownSeconds: number;
  thresholdBps: number;
  alpha: number;
}

export const DEFAULT_DELTAONE_SETTINGS: DeltaOneSettingsValues = {
  minExamples: 800,
  cooldownSeconds: 24 * 3600,
  thresholdBps: 100,
  alpha: 0.05,
};

export interface DecisionInput {
  n: number;
  /** When the last accepted DeltaOne for this model and benchmark was decided, if any. */
  lastAcceptedAt: Date | null;
  now: Date;
  /** Benchmark rows found in the candidate's lineage. */
  leakedRows: number;
  deltaBps: number;
  pValue: number;
  settings: DeltaOneSettingsValues;
}

export interface Decision {
  accepted: boolean;
  reason: DecisionReason;
  /** Set with COOLDOWN_ACTIVE: when the cooldown ends. */
  cooldownUntil: Date | null;
}

export function decide(input: DecisionInput): Decision {
  const { settings } = input;
  const reject = (reason: DecisionReason, cooldownUntil: Date | null = null): Decision => ({
    accepted: false,
    reason,
    cooldownUntil,
  });
  if (input.n < settings.minExamples) return reject('INSUFFICIENT_SAMPLES');
  if (input.lastAcceptedAt) {
    const until = new Date(input.lastAcceptedAt.getTime() + settings.cooldownSeconds * 1000);
    if (input.now.getTime() < until.getTime()) return reject('COOLDOWN_ACTIVE', until);
  }
  if (input.leakedRows > 0) return reject('BENCHMARK_LEAKAGE');
  if (input.deltaBps < settings.thresholdBps) return reject('DELTA_BELOW_THRESHOLD');
  if (!(input.pValue < settings.alpha)) return reject('NOT_SIGNIFICANT');
  return { accepted: true, reason: 'ACCEPTED', cooldownUntil: null };
}
