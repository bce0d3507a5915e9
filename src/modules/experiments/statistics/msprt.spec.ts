import { mixingSdFromMde, msprt } from './msprt';

// References: the formulas of ab-statistics.md evaluated independently in numpy (/usr/bin/python3), e.g.
//   V = pa*(1-pa)/n + pb*(1-pb)/n; logL = 0.5*np.log(V/(V+tau2)) + tau2*d*d/(2*V*(V+tau2))
//   half = np.sqrt(V*(V+tau2)/tau2*(np.log((V+tau2)/V) - 2*np.log(0.05)))
describe('msprt', () => {
  it('should match the numpy evaluation when proportions 480/1000 and 530/1000 are compared with tau 0.02', () => {
    // → V 0.0004986999999999999, logL 0.8211466992730377, p 0.43992690130332884, CI -0.03586644972662073, 0.13586644972662082
    const r = msprt({
      control: { n: 1000, mean: 0.48, variance: 0.48 * 0.52 },
      treatment: { n: 1000, mean: 0.53, variance: 0.53 * 0.47 },
      tau: 0.02,
      alpha: 0.05,
    });
    expect(r.variance).toBeCloseTo(0.0004986999999999999, 15);
    expect(r.logLikelihoodRatio).toBeCloseTo(0.8211466992730377, 12);
    expect(r.pValue).toBeCloseTo(0.43992690130332884, 12);
    expect(r.interval?.low).toBeCloseTo(-0.03586644972662073, 12);
    expect(r.interval?.high).toBeCloseTo(0.13586644972662082, 12);
    expect(r.significant).toBe(false);
  });

  it('should match the numpy evaluation when a continuous metric is compared with tau 0.3', () => {
    // A n=400 mean 10 var 4; B n=380 mean 10.6 var 5 → logL 5.3888054012039674, p 0.004567426320005237,
    // CI 0.13027300639392786, 1.069726993606072
    const r = msprt({
      control: { n: 400, mean: 10, variance: 4 },
      treatment: { n: 380, mean: 10.6, variance: 5 },
      tau: 0.3,
      alpha: 0.05,
    });
    expect(r.logLikelihoodRatio).toBeCloseTo(5.3888054012039674, 11);
    expect(r.pValue).toBeCloseTo(0.004567426320005237, 13);
    expect(r.interval?.low).toBeCloseTo(0.13027300639392786, 11);
    expect(r.interval?.high).toBeCloseTo(1.069726993606072, 11);
    expect(r.significant).toBe(true);
  });

  it('should keep the running minimum when a later look has less evidence', () => {
    const r = msprt({
      control: { n: 1000, mean: 0.5, variance: 0.25 },
      treatment: { n: 1000, mean: 0.5, variance: 0.25 },
      tau: 0.02,
      alpha: 0.05,
      previousPValue: 0.2,
    });
    expect(r.pValue).toBe(0.2);
  });

  it('should carry no evidence when an arm has no variance estimate yet', () => {
    const r = msprt({
      control: { n: 1, mean: 0, variance: 0 },
      treatment: { n: 1, mean: 1, variance: 0 },
      tau: 0.1,
      alpha: 0.05,
    });
    expect(r.logLikelihoodRatio).toBe(0);
    expect(r.pValue).toBe(1);
    expect(r.interval).toBeNull();
  });

  it('should take tau from the absolute minimum detectable effect and refuse 0', () => {
    expect(mixingSdFromMde(-0.02)).toBe(0.02);
    expect(() => mixingSdFromMde(0)).toThrow(RangeError);
  });
});
