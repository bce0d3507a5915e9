import {
  momentsFromSums,
  momentsFromWelford,
  summarizeContinuous,
  summarizeProportion,
  welfordAdd,
  welfordEmpty,
  welfordMerge,
  wilsonInterval,
} from './summaries';

// Reference values: statsmodels 0.13.5 / scipy 1.10.1 (/usr/bin/python3); the call is beside each row.
describe('summaries', () => {
  it('should match statsmodels proportion_confint(method="wilson") when counts are 0/10, 7/20 and 480/1000', () => {
    const rows: Array<[number, number, number, number]> = [
      [0, 10, 0, 0.27753279986288926], // proportion_confint(0, 10, alpha=0.05, method='wilson')
      [7, 20, 0.18119182410108203, 0.5671457233147638], // proportion_confint(7, 20, alpha=0.05, method='wilson')
      [480, 1000, 0.44917079499694124, 0.510982275342481], // proportion_confint(480, 1000, alpha=0.05, method='wilson')
    ];
    for (const [x, n, low, high] of rows) {
      const ci = wilsonInterval({ n, successes: x });
      expect(ci?.low).toBeCloseTo(low, 12);
      expect(ci?.high).toBeCloseTo(high, 12);
    }
    const ninety = wilsonInterval({ n: 50, successes: 3 }, 0.9); // proportion_confint(3, 50, alpha=0.1, method='wilson')
    expect(ninety?.low).toBeCloseTo(0.02423125703121838, 12);
    expect(ninety?.high).toBeCloseTo(0.14094194646069935, 12);
  });

  it('should give no interval when a proportion has no outcomes yet', () => {
    const s = summarizeProportion({ n: 0, successes: 0 });
    expect(s.interval).toBeNull();
    expect(s.mean).toBe(0);
  });

  it('should reject counts when successes exceed n', () => {
    expect(() => summarizeProportion({ n: 3, successes: 4 })).toThrow(RangeError);
  });

  it('should match mean ± t.ppf(0.975, n-1)·s/√n when the metric is continuous (n=30, mean 10, var 4)', () => {
    // m, s2, n = 10.0, 4.0, 30; h = stats.t.ppf(0.975, n-1)*np.sqrt(s2/n) → 9.2531877264838, 10.7468122735162
    const s = summarizeContinuous({ n: 30, mean: 10, variance: 4 });
    expect(s.interval?.low).toBeCloseTo(9.2531877264838, 10);
    expect(s.interval?.high).toBeCloseTo(10.7468122735162, 10);
    expect(s.intervalMethod).toBe('t');
  });

  it('should agree between sums and Welford when the same values are fed, merged in two halves', () => {
    const values = [3.5, 7.25, 1, 42, 8, 9.5, 15, 12, 100, 60];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
    const sums = momentsFromSums({
      n: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      sumOfSquares: values.reduce((a, b) => a + b * b, 0),
    });
    const first = values.slice(0, 4).reduce(welfordAdd, welfordEmpty());
    const second = values.slice(4).reduce(welfordAdd, welfordEmpty());
    const merged = momentsFromWelford(welfordMerge(first, second));
    for (const m of [sums, merged]) {
      expect(m.n).toBe(10);
      expect(m.mean).toBeCloseTo(mean, 12);
      expect(m.variance).toBeCloseTo(variance, 10);
    }
  });

  it('should keep the variance exact with Welford when the mean is huge against the spread', () => {
    const values = [1e9 + 1, 1e9 + 2, 1e9 + 3];
    const m = momentsFromWelford(values.reduce(welfordAdd, welfordEmpty()));
    expect(m.variance).toBeCloseTo(1, 9);
  });
});
