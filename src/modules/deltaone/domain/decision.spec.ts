import { ratioBps, deltaBps } from './bps';
import { decide, DecisionInput, DEFAULT_DELTAONE_SETTINGS } from './decision';

const now = new Date('2026-12-06T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

const passing: DecisionInput = {
  n: 1000,
  lastAcceptedAt: null,
  now,
  leakedRows: 0,
  deltaBps: 150,
  pValue: 0.001,
  settings: DEFAULT_DELTAONE_SETTINGS,
};

describe('decide', () => {
  // Each row fails exactly the gates it names; the reason is the first failing gate in the fixed order.
  it.each<[string, Partial<DecisionInput>, string]>([
    ['everything passes', {}, 'ACCEPTED'],
    ['n is one below minExamples', { n: 799 }, 'INSUFFICIENT_SAMPLES'],
    ['n equals minExamples', { n: 800 }, 'ACCEPTED'],
    ['an accepted DeltaOne is 23 h old', { lastAcceptedAt: hoursAgo(23) }, 'COOLDOWN_ACTIVE'],
    ['the last accepted DeltaOne is exactly 24 h old', { lastAcceptedAt: hoursAgo(24) }, 'ACCEPTED'],
    ['the lineage holds a benchmark row', { leakedRows: 1 }, 'BENCHMARK_LEAKAGE'],
    ['the delta is 99 bps', { deltaBps: 99 }, 'DELTA_BELOW_THRESHOLD'],
    ['the delta is exactly 100 bps', { deltaBps: 100 }, 'ACCEPTED'],
    ['the candidate is worse', { deltaBps: -300 }, 'DELTA_BELOW_THRESHOLD'],
    ['p equals alpha', { pValue: 0.05 }, 'NOT_SIGNIFICANT'],
    ['p is just below alpha', { pValue: 0.0499 }, 'ACCEPTED'],
    // Order: every gate fails; the earliest wins, then drop it and the next one shows.
    [
      'every gate fails',
      { n: 10, lastAcceptedAt: hoursAgo(1), leakedRows: 5, deltaBps: 0, pValue: 1 },
      'INSUFFICIENT_SAMPLES',
    ],
    ['all but samples fail', { lastAcceptedAt: hoursAgo(1), leakedRows: 5, deltaBps: 0, pValue: 1 }, 'COOLDOWN_ACTIVE'],
    ['leakage, delta and significance fail', { leakedRows: 5, deltaBps: 0, pValue: 1 }, 'BENCHMARK_LEAKAGE'],
    ['delta and significance fail', { deltaBps: 0, pValue: 1 }, 'DELTA_BELOW_THRESHOLD'],
    ['only significance fails', { pValue: 1 }, 'NOT_SIGNIFICANT'],
  ])('should decide %s → %s', (_label, override, reason) => {
    const d = decide({ ...passing, ...override });
    expect(d.reason).toBe(reason);
    expect(d.accepted).toBe(reason === 'ACCEPTED');
  });

  it('should accept 0.29 → 0.30 accuracy and reject 0.2900 → 0.2999 when measured from counts', () => {
    const up = deltaBps(ratioBps(290, 1000), ratioBps(300, 1000), 'higher');
    expect(decide({ ...passing, deltaBps: up }).reason).toBe('ACCEPTED');
    const short = deltaBps(ratioBps(2900, 10000), ratioBps(2999, 10000), 'higher');
    expect(decide({ ...passing, n: 10000, deltaBps: short }).reason).toBe('DELTA_BELOW_THRESHOLD');
  });

  it('should accept a lower loss and reject a higher one when lower is better', () => {
    expect(decide({ ...passing, deltaBps: deltaBps(5400, 5300, 'lower') }).reason).toBe('ACCEPTED');
    expect(decide({ ...passing, deltaBps: deltaBps(5300, 5400, 'lower') }).reason).toBe('DELTA_BELOW_THRESHOLD');
    expect(decide({ ...passing, deltaBps: deltaBps(5400, 5301, 'lower') }).reason).toBe('DELTA_BELOW_THRESHOLD');
  });

  it('should say when the cooldown ends when it blocks', () => {
    const d = decide({ ...passing, lastAcceptedAt: hoursAgo(2) });
    expect(d.cooldownUntil?.toISOString()).toBe('2026-12-07T10:00:00.000Z');
  });

  it('should follow per-model settings when they differ from the defaults', () => {
    const settings = { minExamples: 100, cooldownSeconds: 0, thresholdBps: 50, alpha: 0.01 };
    expect(decide({ ...passing, n: 100, deltaBps: 50, pValue: 0.009, lastAcceptedAt: now, settings }).reason).toBe(
      'ACCEPTED',
    );
    expect(decide({ ...passing, pValue: 0.02, settings }).reason).toBe('NOT_SIGNIFICANT');
  });
});
