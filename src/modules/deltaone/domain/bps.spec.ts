import { deltaBps, ratioBps, realBps } from './bps';

describe('basis points', () => {
  it('should count 0.29 → 0.30 as exactly 100 bps when the metric comes from integer counts', () => {
    // Hokusai compares (candidate − baseline) × 100 ≥ 1.0 in floating point: one true point comes out short
    // or long depending on the values, so the same improvement is rejected or accepted.
    expect((0.29 - 0.28) * 100).toBeLessThan(1);
    expect((0.3 - 0.29) * 100).toBeGreaterThan(1);
    expect(deltaBps(ratioBps(280, 1000), ratioBps(290, 1000), 'higher')).toBe(100);
    expect(deltaBps(ratioBps(290, 1000), ratioBps(300, 1000), 'higher')).toBe(100);
    expect(deltaBps(ratioBps(2900, 10000), ratioBps(2999, 10000), 'higher')).toBe(99);
  });

  it('should round halves to even when the ratio falls exactly between two basis points', () => {
    expect(ratioBps(1, 20000)).toBe(0); // 0.5
    expect(ratioBps(3, 20000)).toBe(2); // 1.5
    expect(ratioBps(5, 40000)).toBe(1); // 1.25
    expect(ratioBps(7, 40000)).toBe(2); // 1.75
    expect(ratioBps(1, 3)).toBe(3333);
    expect(ratioBps(2, 3)).toBe(6667);
    expect(ratioBps(10, 10)).toBe(10000);
  });

  it('should round the real value × 10000 half to even when the metric is real-valued', () => {
    expect(realBps(0.00125)).toBe(12); // 12.5, although 0.00125 × 10000 is 12.499999999999998 in binary
    expect(realBps(0.00135)).toBe(14); // 13.5
    expect(realBps(0.52335908)).toBe(5234);
    expect(realBps(1.7)).toBe(17000);
  });

  it('should measure improvement as baseline − candidate when lower is better', () => {
    expect(deltaBps(5234, 5100, 'lower')).toBe(134);
    expect(deltaBps(5100, 5234, 'lower')).toBe(-134);
    expect(deltaBps(5100, 5234, 'higher')).toBe(134);
  });

  it('should refuse a zero denominator when asked for a ratio', () => {
    expect(() => ratioBps(1, 0)).toThrow(RangeError);
  });
});
