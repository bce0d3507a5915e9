/**
 * DeltaOne reward arithmetic, in bigint throughout: amounts are integers in the token's smallest unit (18
 * decimals) and weights integers in basis points, so no rounding of binary floats can ever move money.
 */

export const TOKEN_DECIMALS = 18;
export const BPS = 10_000n;
const UNIT = 10n ** BigInt(TOKEN_DECIMALS);
const DECIMAL = /^(0|[1-9]\d{0,29})(?:\.(\d{1,18}))?$/;

/** A decimal token amount ("2.5") as smallest units, exactly; undefined when it is not one (sign, exponent, >18 places). */
export function parseTokens(text: string): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').padEnd(TOKEN_DECIMALS, '0');
  return BigInt(m[1]) * UNIT + BigInt(fraction);
}

/** Smallest units as a decimal token amount, without trailing zeros ("2.5", "3"). */
export function formatTokens(units: bigint): string {
  const whole = units / UNIT;
  const fraction = (units % UNIT).toString().padStart(TOKEN_DECIMALS, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

export interface RewardPolicy {
  /** Smallest units per 100 bps of improvement. */
  tokensPerDeltaOne: bigint;
  /** Smallest units; the most one DeltaOne pays. */
  maxReward: bigint;
  /** Smallest units still mintable for the model (budget minus what was already awarded). */
  remainingBudget: bigint;
  paused: boolean;
}

export type NoRewardReason = 'PAUSED' | 'NO_CONTRIBUTORS' | 'BUDGET_EXHAUSTED' | 'ZERO_REWARD';

export type RewardDecision = { total: bigint } | { reason: NoRewardReason; wanted: bigint };

/** min(Δbps × tokensPerDeltaOne / 100, maxReward), rounded down to the smallest unit. */
export function rewardFor(deltaBps: number, tokensPerDeltaOne: bigint, maxReward: bigint): bigint {
  if (!Number.isSafeInteger(deltaBps) || deltaBps <= 0) return 0n;
  const raw = (BigInt(deltaBps) * tokensPerDeltaOne) / 100n;
  return raw < maxReward ? raw : maxReward;
}

/**
 * What one accepted DeltaOne pays in total, or why nothing: paused first, then no contributors, then the budget
 * (all or nothing: a reward over what is left is never cut down to fit).
 */
export function decideReward(deltaBps: number, contributors: number, policy: RewardPolicy): RewardDecision {
  const wanted = rewardFor(deltaBps, policy.tokensPerDeltaOne, policy.maxReward);
  if (policy.paused) return { reason: 'PAUSED', wanted };
  if (contributors === 0) return { reason: 'NO_CONTRIBUTORS', wanted };
  if (wanted > policy.remainingBudget) return { reason: 'BUDGET_EXHAUSTED', wanted };
  if (wanted === 0n) return { reason: 'ZERO_REWARD', wanted };
  return { total: wanted };
}

/**
 * Weights in basis points proportional to `counts`, summing to exactly 10000 (largest remainder: each gets the
 * floor of its quota, the points left go to the largest remainders, ties to the earlier entry). Entries with a
 * count of 0 get 0; an empty or all-zero input gets no weights.
 */
export function largestRemainderBps(counts: readonly bigint[]): bigint[] {
  const sum = counts.reduce((a, c) => a + c, 0n);
  if (sum <= 0n) return counts.map(() => 0n);
  if (counts.some((c) => c < 0n)) throw new RangeError('counts must not be negative');
  const weights = counts.map((c) => (c * BPS) / sum);
  const remainders = counts.map((c, i) => ({ i, r: (c * BPS) % sum }));
  let left = BPS - weights.reduce((a, w) => a + w, 0n);
  // Stable sort: equal remainders keep their order, so the earlier contributor wins a tie.
  remainders.sort((a, b) => (a.r === b.r ? 0 : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    weights[i] += 1n;
    left -= 1n;
  }
  return weights;
}

/** share_i = floor(total × w_i / 10000); what rounding leaves (the dust) goes to the first entry. */
export function splitShares(total: bigint, weightsBps: readonly bigint[]): bigint[] {
  if (weightsBps.length === 0) return [];
  const shares = weightsBps.map((w) => (total * w) / BPS);
  shares[0] += total - shares.reduce((a, s) => a + s, 0n);
  return shares;
}
