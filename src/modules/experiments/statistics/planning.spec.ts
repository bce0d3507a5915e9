import { fixedHorizonSamplesPerArm, msprtPowerAt, sequentialHorizonPerArm } from './planning';

// References: ab-statistics.md's formulas evaluated in numpy/scipy (/usr/bin/python3):
//   nss(pA, d) = (norm.ppf(1-a/2)*sqrt(2*pbar*(1-pbar)) + norm.ppf(power)*sqrt(pA*(1-pA)+pB*(1-pB)))**2/d**2
//   → nss(0.5, 0.01) = 39239.295…, nss(0.85, 0.01) = 19460.118…, nss(0.5, 0.05) = 1564.672…
//   mSPRT single-look power with the normal approximation, smallest n with power ≥ 0.8 for pA 0.5, δ 0.05: 3027
describe('planning', () => {
  it('should give about 39,000 and 20,000 per arm when the reference examples are planned', () => {
    expect(fixedHorizonSamplesPerArm({ baseline: 0.5, minimumDetectableEffect: 0.01, alpha: 0.05 })).toBe(39240);
    expect(fixedHorizonSamplesPerArm({ baseline: 0.85, minimumDetectableEffect: 0.01, alpha: 0.05 })).toBe(19461);
    expect(fixedHorizonSamplesPerArm({ baseline: 0.5, minimumDetectableEffect: 0.05, alpha: 0.05 })).toBe(1565);
  });

  it('should plan a longer horizon for the mSPRT than for the fixed test when power is 0.8', () => {
    const plan = { controlVariance: 0.25, treatmentVariance: 0.55 * 0.45, minimumDetectableEffect: 0.05, alpha: 0.05 };
    const n = sequentialHorizonPerArm(plan);
    expect(n).toBe(3027);
    expect(msprtPowerAt(plan, n)).toBeGreaterThanOrEqual(0.8);
    expect(msprtPowerAt(plan, n - 1)).toBeLessThan(0.8);
  });
});
