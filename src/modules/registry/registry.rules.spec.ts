import {
  benchmarkDelta,
  defaultDirection,
  featureMismatch,
  isValidAlias,
  normalizeShape,
  rollbackTarget,
  roundHalfEven,
  TOKEN_ID,
  VersionSignature,
} from './registry.rules';

const sig = (...shapes: number[][]): VersionSignature => ({
  inputs: shapes.map((shape, i) => ({ name: `in${i}`, type: 'float32', shape })),
  outputs: [],
});
const feats = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'float' as const }));

describe('registry rules', () => {
  it('should default the direction from the metric when none is given', () => {
    expect(defaultDirection('accuracy')).toBe('higher_is_better');
    expect(defaultDirection('auroc')).toBe('higher_is_better');
    expect(defaultDirection('rmse')).toBe('lower_is_better');
    expect(defaultDirection('logloss')).toBe('lower_is_better');
  });

  it('should refuse reserved and malformed aliases when checking alias names', () => {
    expect(isValidAlias('production')).toBe(true);
    expect(isValidAlias('champion_2-b')).toBe(true);
    expect(isValidAlias('a'.repeat(256))).toBe(true);
    for (const bad of ['latest', 'LATEST', 'v1', 'V12', '', 'a b', 'x/y', 'a'.repeat(257)]) {
      expect(isValidAlias(bad)).toBe(false);
    }
  });

  it('should accept token ids only without edge hyphens and within 64 characters', () => {
    expect(TOKEN_ID.test('churn-1')).toBe(true);
    expect(TOKEN_ID.test('A'.repeat(64))).toBe(true);
    for (const bad of ['-A', 'A-', 'A_B', 'A'.repeat(65), '']) expect(TOKEN_ID.test(bad)).toBe(false);
  });

  it('should store symbolic and unknown dimensions as -1 when normalising shapes', () => {
    expect(normalizeShape(['N', 16, -1, 0])).toEqual([-1, 16, -1, 0]);
  });

  it('should require k features when the single input is [N, k]', () => {
    expect(featureMismatch(sig([-1, 16]), feats(16))).toBeNull();
    expect(featureMismatch(sig([-1, 16]), feats(15))).toMatch(/16 columns/);
    expect(featureMismatch(sig([-1, -1]), feats(3))).toBeNull();
    expect(featureMismatch(sig([-1, 16]), null)).toBeNull();
  });

  it('should require one feature per named input when the model has several inputs', () => {
    const two: VersionSignature = {
      inputs: [
        { name: 'f0', type: 'float32', shape: [-1, 1] },
        { name: 'f1', type: 'float32', shape: [-1, 1] },
      ],
      outputs: [],
    };
    expect(featureMismatch(two, feats(2))).toBeNull();
    expect(featureMismatch(two, [{ name: 'f0', type: 'float' }])).toMatch(/not listed: f1/);
  });

  it('should flip the sign of the delta when lower is better', () => {
    expect(benchmarkDelta(0.85, 0.84, 'higher_is_better')).toEqual({ delta: 0.01, deltaBps: 100 });
    expect(benchmarkDelta(0.2, 0.25, 'lower_is_better')).toEqual({ delta: 0.05, deltaBps: 500 });
    expect(benchmarkDelta(0.3, 0.25, 'lower_is_better')).toEqual({ delta: -0.05, deltaBps: -500 });
    expect(benchmarkDelta(undefined, 0.25, 'lower_is_better')).toBeNull();
  });

  it('should round halves to even when turning values into basis points', () => {
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(1.5)).toBe(2);
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(roundHalfEven(2.4)).toBe(2);
  });

  it('should walk back through previous production versions when rolling back repeatedly', () => {
    const h = [
      { action: 'promote' as const, toVersion: 1 },
      { action: 'promote' as const, toVersion: 2 },
      { action: 'set' as const, toVersion: 3 },
    ];
    expect(rollbackTarget(h)).toBe(2);
    expect(rollbackTarget([...h, { action: 'rollback', toVersion: 2 }])).toBe(1);
    expect(
      rollbackTarget([...h, { action: 'rollback', toVersion: 2 }, { action: 'rollback', toVersion: 1 }]),
    ).toBeNull();
  });

  it('should have no rollback target when production never moved or was deleted', () => {
    expect(rollbackTarget([])).toBeNull();
    expect(rollbackTarget([{ action: 'promote', toVersion: 1 }])).toBeNull();
    expect(
      rollbackTarget([
        { action: 'promote', toVersion: 1 },
        { action: 'promote', toVersion: 1 },
      ]),
    ).toBeNull();
    expect(
      rollbackTarget([
        { action: 'promote', toVersion: 1 },
        { action: 'promote', toVersion: 2 },
        { action: 'delete', toVersion: null },
        { action: 'promote', toVersion: 3 },
      ]),
    ).toBeNull();
  });
});
