import {
  decideReward,
  formatTokens,
  largestRemainderBps,
  parseTokens,
  RewardPolicy,
  rewardFor,
  splitShares,
} from './reward-math';

const T = 10n ** 18n;
const policy = (p: Partial<RewardPolicy> = {}): RewardPolicy => ({
  tokensPerDeltaOne: 1000n * T,
  maxReward: 10_000n * T,
  remainingBudget: 1_000_000n * T,
  paused: false,
  ...p,
});
const sum = (xs: bigint[]) => xs.reduce((a, x) => a + x, 0n);

describe('reward math', () => {
  it('should parse decimal token strings exactly when they have up to 18 places', () => {
    expect(parseTokens('2.5')).toBe(2n * T + T / 2n);
    expect(parseTokens('0.000000000000000001')).toBe(1n);
    expect(parseTokens('250000')).toBe(250_000n * T);
    expect(parseTokens('0.1')! * 3n).toBe(parseTokens('0.3'));
    for (const bad of ['-1', '1e3', '1.', '.5', '01', '0.0000000000000000001', '', ' 1', '1,5']) {
      expect(parseTokens(bad)).toBeUndefined();
    }
    expect(formatTokens(parseTokens('12.340')!)).toBe('12.34');
    expect(formatTokens(5n * T)).toBe('5');
  });

  it('should pay tokensPerDeltaOne per 100 bps and stop at maxReward when computing a reward', () => {
    expect(rewardFor(100, 1000n * T, 10_000n * T)).toBe(1000n * T);
    expect(rewardFor(150, 1000n * T, 10_000n * T)).toBe(1500n * T);
    expect(rewardFor(101, 3n, 10n ** 30n)).toBe(3n); // 303 / 100, rounded down
    expect(rewardFor(5000, 1000n * T, 10_000n * T)).toBe(10_000n * T);
    expect(rewardFor(0, 1000n * T, 10_000n * T)).toBe(0n);
  });

  it('should mint nothing with BUDGET_EXHAUSTED when the reward is over the remaining budget', () => {
    expect(decideReward(150, 2, policy({ remainingBudget: 1499n * T }))).toEqual({
      reason: 'BUDGET_EXHAUSTED',
      wanted: 1500n * T,
    });
    expect(decideReward(150, 2, policy({ remainingBudget: 1500n * T }))).toEqual({ total: 1500n * T });
  });

  it('should apply the cap before the budget when both bind', () => {
    expect(decideReward(5000, 1, policy({ remainingBudget: 10_000n * T }))).toEqual({ total: 10_000n * T });
  });

  it('should answer PAUSED when the model is paused, before any other reason', () => {
    expect(decideReward(150, 0, policy({ paused: true, remainingBudget: 0n }))).toMatchObject({ reason: 'PAUSED' });
  });

  it('should answer NO_CONTRIBUTORS when the lineage has no credited rows', () => {
    expect(decideReward(150, 0, policy())).toMatchObject({ reason: 'NO_CONTRIBUTORS' });
  });

  it('should give the points left to the largest remainders when weighting', () => {
    // quotas 1666.67, 3333.33, 5000 → floors sum to 9999; the largest remainder (.67) gets the point.
    expect(largestRemainderBps([1n, 2n, 3n])).toEqual([1667n, 3333n, 5000n]);
  });

  it('should give a tied remainder to the earlier contributor when weighting', () => {
    expect(largestRemainderBps([1n, 1n, 1n])).toEqual([3334n, 3333n, 3333n]);
    expect(largestRemainderBps([7n, 7n, 7n, 7n, 7n, 7n])).toEqual([1667n, 1667n, 1667n, 1667n, 1666n, 1666n]);
  });

  it('should weigh a single contributor 10000 when there is one', () => {
    expect(largestRemainderBps([42n])).toEqual([10_000n]);
    expect(splitShares(1234n * T + 7n, [10_000n])).toEqual([1234n * T + 7n]);
  });

  it('should sum weights to exactly 10000 and shares to the total when there are 100 contributors', () => {
    const counts = Array.from({ length: 100 }, (_, i) => BigInt(((i * 7919) % 97) + 1));
    const weights = largestRemainderBps(counts);
    expect(sum(weights)).toBe(10_000n);
    const total = 123_456_789_012_345_678_901n;
    const shares = splitShares(total, weights);
    expect(sum(shares)).toBe(total);
    for (let i = 1; i < 100; i++) expect(shares[i]).toBe((total * weights[i]) / 10_000n);
  });

  it('should give the rounding dust to the first contributor when splitting', () => {
    const shares = splitShares(10n, [3334n, 3333n, 3333n]);
    // floors are 3, 3, 3: the 1 left goes to the first.
    expect(shares).toEqual([4n, 3n, 3n]);
  });

  it('should give no weights when nobody contributed', () => {
    expect(largestRemainderBps([])).toEqual([]);
    expect(splitShares(5n, [])).toEqual([]);
  });
});
