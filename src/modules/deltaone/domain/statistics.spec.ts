import { ratioBps } from './bps';
import { computeMetric } from './metrics';
import { ClassOutcomes, NumericOutcomes } from './outcomes';
import { compareVersions, delong, mcnemarExact, pairedT, waldInterval } from './statistics';

// Reference p-values from scipy 1.10.1: McNemar exact = scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue,
// paired t = scipy.stats.ttest_rel(baselineLoss, candidateLoss).
describe('mcnemarExact', () => {
  it.each([
    [0, 30, 1.862645149230957e-9],
    [10, 25, 0.016673847800120715],
    [5, 5, 1],
    [40, 62, 0.03706676743856045],
    [120, 170, 0.0039333365128251495],
  ])('should match scipy when b = %i and c = %i', (b, c, p) => {
    expect(mcnemarExact(b, c).pValue).toBeCloseTo(p, 12);
    expect(mcnemarExact(b, c).pValue / p).toBeCloseTo(1, 9);
  });

  it('should give p = 1 when no row is discordant', () => {
    expect(mcnemarExact(0, 0).pValue).toBe(1);
  });

  it('should not underflow when b + c is in the thousands', () => {
    const p = mcnemarExact(2400, 2600).pValue;
    expect(p).toBeGreaterThan(0.004);
    expect(p).toBeLessThan(0.006);
  });
});

describe('pairedT', () => {
  it('should match scipy.stats.ttest_rel when given per-row loss differences', () => {
    const lb = [0.9, 1.2, 0.4, 0.8, 1.1, 0.7, 0.95, 0.6];
    const lc = [0.7, 1.0, 0.5, 0.6, 0.9, 0.65, 0.8, 0.55];
    const r = pairedT(Float64Array.from(lb, (v, i) => v - lc[i]));
    expect(r.t).toBeCloseTo(3.053640982046264, 9);
    expect(r.pValue).toBeCloseTo(0.01848817997616521, 9);
    expect(r.df).toBe(7);
  });

  it('should give p = 1 when every difference is zero', () => {
    expect(pairedT(new Float64Array(5)).pValue).toBe(1);
  });
});

describe('delong', () => {
  it('should match the direct O(mn) DeLong computation when two versions score the same rows', () => {
    // numpy on the definition: V10/V01 placement values, S = cov(V10)/m + cov(V01)/n, z = ΔAUC / sqrt(var).
    const labels = Int32Array.from([1, 0, 1, 1, 0, 0, 1, 0, 1, 0]);
    const sb = Float64Array.from([0.9, 0.3, 0.6, 0.4, 0.5, 0.2, 0.7, 0.6, 0.35, 0.1]);
    const sc = Float64Array.from([0.95, 0.2, 0.7, 0.65, 0.4, 0.1, 0.8, 0.5, 0.55, 0.3]);
    const r = delong(labels, sb, sc);
    expect(r.difference).toBeCloseTo(0.18, 12);
    expect(r.z).toBeCloseTo(1.2480754415067659, 9);
    expect(r.pValue).toBeCloseTo(0.2120034309228256, 6);
  });
});

function accuracyOutcomes(n: number, correct: (i: number) => boolean): ClassOutcomes {
  const labels = new Int32Array(n).fill(1);
  return {
    kind: 'classes',
    labels,
    predicted: Int32Array.from(labels, (_, i) => (correct(i) ? 1 : 0)),
    positiveScore: null,
    trueProb: null,
  };
}

describe('compareVersions', () => {
  it('should find the paired test significant when the unpaired Wald interval is not', () => {
    // 1000 rows; the baseline gets rows 0..799 right, the candidate the same 800 plus 30 more: b = 0, c = 30.
    const base = accuracyOutcomes(1000, (i) => i < 800);
    const cand = accuracyOutcomes(1000, (i) => i < 830);
    const rb = computeMetric('accuracy', base);
    const rc = computeMetric('accuracy', cand);
    const s = compareVersions('accuracy', base, cand, rb, rc, 0.05);
    expect(s.paired).toMatchObject({ test: 'mcnemar_exact', b: 0, c: 30 });
    expect(s.paired.pValue).toBeCloseTo(1.862645149230957e-9, 15);
    expect(s.significant).toBe(true);
    // Unpooled Wald by hand: SE = sqrt(.8·.2/1000 + .83·.17/1000) = 0.0173523…, 300 ± 1.96·SE·10000 bps.
    expect(s.wald).toEqual({ lowBps: -40.1, highBps: 640.1, significant: false });
  });

  it('should use a paired t on per-row losses when the metric is continuous', () => {
    // scipy.stats.ttest_rel((pb-y)**2, (pc-y)**2) → t = 3.7951832165730144, p = 0.01269088059455721.
    const labels = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const base: NumericOutcomes = { kind: 'numeric', labels, predicted: Float64Array.from([1.5, 2.5, 2, 4.5, 6, 5]) };
    const cand: NumericOutcomes = {
      kind: 'numeric',
      labels,
      predicted: Float64Array.from([1.2, 2.1, 2.6, 4.2, 5.5, 5.7]),
    };
    const s = compareVersions('rmse', base, cand, computeMetric('rmse', base), computeMetric('rmse', cand), 0.05);
    expect(s.paired.test).toBe('paired_t');
    expect(s.paired.pValue).toBeCloseTo(0.01269088059455721, 9);
    expect(s.wald).toBeNull();
    // scipy.stats.ttest_rel(abs(pb-y), abs(pc-y)) → t = 7.0, p = 0.0009167475143984068.
    const m = compareVersions('mae', base, cand, computeMetric('mae', base), computeMetric('mae', cand), 0.05);
    expect(m.paired.pValue).toBeCloseTo(0.0009167475143984068, 10);
  });

  it('should compare only the positive rows when the metric is recall', () => {
    const labels = Int32Array.from([1, 1, 1, 0, 0]);
    const base: ClassOutcomes = {
      kind: 'classes',
      labels,
      predicted: Int32Array.from([1, 0, 0, 1, 1]),
      positiveScore: null,
      trueProb: null,
    };
    const cand: ClassOutcomes = {
      kind: 'classes',
      labels,
      predicted: Int32Array.from([1, 1, 1, 0, 0]),
      positiveScore: null,
      trueProb: null,
    };
    const s = compareVersions('recall', base, cand, computeMetric('recall', base), computeMetric('recall', cand), 0.05);
    expect(s.paired).toMatchObject({ b: 0, c: 2 });
  });

  it('should report no Wald interval when the metric is auroc', () => {
    expect(
      waldInterval(
        { metric: 'auroc', bps: 1, value: 0, ratio: { numerator: 1, denominator: ratioBps(1, 1) } },
        { metric: 'auroc', bps: 1, value: 0, ratio: { numerator: 1, denominator: 2 } },
      ),
    ).toBeNull();
  });
});
