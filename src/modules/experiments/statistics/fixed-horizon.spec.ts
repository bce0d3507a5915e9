import { compareToControl, FIXED_HORIZON_VALIDITY, twoProportionZTest, welchTTest } from './fixed-horizon';
import { summarizeContinuous, summarizeProportion } from './summaries';

// Reference values: statsmodels 0.13.5 / scipy 1.10.1 (/usr/bin/python3); the call is beside each assertion.
// statsmodels and scipy report first-minus-second; we report treatment minus control, hence the sign flips.
describe('fixed-horizon tests', () => {
  it('should match statsmodels proportions_ztest when control 480/1000 and treatment 530/1000', () => {
    // proportions_ztest([530, 480], [1000, 1000]) → (2.2361797892846207, 0.025339996552342214)
    const r = twoProportionZTest({ n: 1000, successes: 480 }, { n: 1000, successes: 530 });
    expect(r?.statistic).toBeCloseTo(2.2361797892846207, 12);
    expect(r?.pValue).toBeCloseTo(0.025339996552342214, 12);
    expect(r?.validity).toBe(FIXED_HORIZON_VALIDITY);
  });

  it('should match statsmodels proportions_ztest when arms have different sizes', () => {
    // proportions_ztest([1234, 1150], [10000, 9800]) → (1.3085591726656325, 0.19068371826548602)
    const r = twoProportionZTest({ n: 9800, successes: 1150 }, { n: 10000, successes: 1234 });
    expect(r?.statistic).toBeCloseTo(1.3085591726656325, 12);
    expect(r?.pValue).toBeCloseTo(0.19068371826548602, 12);
  });

  it('should return null when the pooled rate has no variance', () => {
    expect(twoProportionZTest({ n: 10, successes: 0 }, { n: 10, successes: 0 })).toBeNull();
  });

  it('should match scipy ttest_ind_from_stats(equal_var=False) when the variances differ', () => {
    // stats.ttest_ind_from_stats(10.0, sqrt(4.0), 30, 11.2, sqrt(9.0), 25, equal_var=False)
    //   → statistic -1.7084843923544972, pvalue 0.09520585132063152; Welch df 40.47508602013509
    const r = welchTTest({ n: 30, mean: 10, variance: 4 }, { n: 25, mean: 11.2, variance: 9 });
    expect(r?.statistic).toBeCloseTo(1.7084843923544972, 12);
    expect(r?.pValue).toBeCloseTo(0.09520585132063152, 12);
    expect(r?.df).toBeCloseTo(40.47508602013509, 10);
  });

  it('should give the unpooled Wald interval and the delta-method lift when comparing proportions', () => {
    // numpy: se = sqrt(.48*.52/1000 + .53*.47/1000); d ± norm.ppf(0.975)*se → 0.006230884017607158, 0.09376911598239293
    // lift: exp(log(.53/.48) ± z*sqrt(.47/(1000*.53) + .52/(1000*.48))) - 1 → 0.012169196544496996, 0.20452591517309648
    const c = compareToControl(
      summarizeProportion({ n: 1000, successes: 480 }),
      summarizeProportion({ n: 1000, successes: 530 }),
    );
    expect(c.difference).toBeCloseTo(0.05, 14);
    expect(c.differenceInterval?.low).toBeCloseTo(0.006230884017607158, 12);
    expect(c.differenceInterval?.high).toBeCloseTo(0.09376911598239293, 12);
    expect(c.relativeLift).toBeCloseTo(0.10416666666666674, 12);
    expect(c.relativeLiftInterval?.low).toBeCloseTo(0.012169196544496996, 12);
    expect(c.relativeLiftInterval?.high).toBeCloseTo(0.20452591517309648, 12);
  });

  it('should use the Welch t quantile for the difference interval when the metric is continuous', () => {
    // 1.2 ± q·sqrt(4/30 + 9/25) with df as above. q by mpmath (40 digits) = 2.020336674739944, the root of
    // 1 - betainc(df/2, 0.5, 0, df/(df+t*t), regularized=True)/2 = 0.975; scipy 1.10.1 t.ppf gives 2.0203366678
    // (its own t.cdf there is 0.97499999963), so the scipy interval -0.2190378397772017 is 5e-9 off.
    // numpy: 1.2 ∓ 2.020336674739944*np.sqrt(4/30+9/25) → -0.21903784461666076, 2.6190378446166607
    const c = compareToControl(
      summarizeContinuous({ n: 30, mean: 10, variance: 4 }),
      summarizeContinuous({ n: 25, mean: 11.2, variance: 9 }),
    );
    expect(c.differenceInterval?.low).toBeCloseTo(-0.21903784461666076, 12);
    expect(c.differenceInterval?.high).toBeCloseTo(2.6190378446166607, 12);
  });

  it('should leave the relative lift empty when the control mean is 0', () => {
    const c = compareToControl(
      summarizeProportion({ n: 100, successes: 0 }),
      summarizeProportion({ n: 100, successes: 5 }),
    );
    expect(c.relativeLift).toBeNull();
    expect(c.relativeLiftInterval).toBeNull();
  });
});
