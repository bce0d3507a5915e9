import { sampleRatioMismatch } from './srm';

// References: scipy 1.10.1 stats.chisquare (/usr/bin/python3); the call is beside each case.
describe('sampleRatioMismatch', () => {
  it('should not flag 5100/4900 against 50/50 when p is 0.0455', () => {
    const r = sampleRatioMismatch([5100, 4900], [50, 50]); // stats.chisquare([5100, 4900]) → 4.0, 0.04550026389635857
    expect(r.chiSquare).toBeCloseTo(4, 12);
    expect(r.pValue).toBeCloseTo(0.04550026389635857, 12);
    expect(r.flagged).toBe(false);
  });

  it('should flag 5200/4800 against 50/50 when p is below 0.001', () => {
    const r = sampleRatioMismatch([5200, 4800], [0.5, 0.5]); // stats.chisquare([5200, 4800]) → 16.0, 6.334248366623988e-05
    expect(r.pValue / 6.334248366623988e-5).toBeCloseTo(1, 10);
    expect(r.flagged).toBe(true);
  });

  it('should use k - 1 degrees of freedom when there are three variants with unequal weights', () => {
    // stats.chisquare([3050, 1950, 5000], f_exp=[3000, 2000, 5000]) → 2.0833333333333335, 0.35286608145884896
    const r = sampleRatioMismatch([3050, 1950, 5000], [30, 20, 50]);
    expect(r.df).toBe(2);
    expect(r.chiSquare).toBeCloseTo(2.0833333333333335, 12);
    expect(r.pValue).toBeCloseTo(0.35286608145884896, 12);
  });

  it('should flag when a weight-0 variant still receives units', () => {
    expect(sampleRatioMismatch([100, 3], [1, 0]).flagged).toBe(true);
  });

  it('should not flag when there are no units yet', () => {
    const r = sampleRatioMismatch([0, 0], [1, 1]);
    expect(r.pValue).toBe(1);
    expect(r.flagged).toBe(false);
  });
});
