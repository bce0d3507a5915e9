import { gramOfRows, logisticObjective } from './linear-kernel';
import { mulberry32 } from './prng';

/** The objective written as its formula, one row and one class at a time: the reference for the kernel. */
function reference(xs: Float64Array, y: Uint32Array, d: number, classes: number, l2: number, theta: Float64Array) {
  const n = y.length;
  const k = classes === 2 ? 1 : classes;
  const grad = new Float64Array((d + 1) * k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k }, (_, c) => {
      let v = theta[d * k + c];
      for (let j = 0; j < d; j++) v += xs[i * d + j] * theta[c * d + j];
      return v;
    });
    let residuals: number[];
    if (k === 1) {
      const p = 1 / (1 + Math.exp(-z[0]));
      loss += -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
      residuals = [p - y[i]];
    } else {
      const sum = z.reduce((s, v) => s + Math.exp(v), 0);
      loss += Math.log(sum) - z[y[i]];
      residuals = z.map((v, c) => Math.exp(v) / sum - (c === y[i] ? 1 : 0));
    }
    residuals.forEach((r, c) => {
      for (let j = 0; j < d; j++) grad[c * d + j] += (r * xs[i * d + j]) / n;
      grad[d * k + c] += r / n;
    });
  }
  let penalty = 0;
  for (let p = 0; p < d * k; p++) {
    penalty += theta[p] ** 2;
    grad[p] += l2 * theta[p];
  }
  return { loss: loss / n + (l2 / 2) * penalty, grad };
}

describe('logisticObjective (WebAssembly kernel)', () => {
  it.each([
    [1, 2],
    [3, 2],
    [4, 3],
    [7, 3],
    [20, 4],
    [5, 5],
  ])('should equal the formula when there are %i features and %i classes', (d, classes) => {
    const random = mulberry32(d * 31 + classes);
    const n = 53;
    const xs = Float64Array.from({ length: n * d }, () => random() * 4 - 2);
    const y = Uint32Array.from({ length: n }, () => Math.floor(random() * classes));
    const params = (d + 1) * (classes === 2 ? 1 : classes);
    const theta = Float64Array.from({ length: params }, () => random() - 0.5);
    const grad = new Float64Array(params);
    const loss = logisticObjective(xs, y, d, classes, 0.1)(theta, grad);
    const expected = reference(xs, y, d, classes, 0.1, theta);
    expect(Math.abs(loss - expected.loss)).toBeLessThan(1e-12);
    grad.forEach((g, p) => expect(Math.abs(g - expected.grad[p])).toBeLessThan(1e-12));
  });

  it('should give the same loss and gradient every time when called again with the same θ', () => {
    const random = mulberry32(7);
    const xs = Float64Array.from({ length: 40 * 6 }, () => random());
    const f = logisticObjective(
      xs,
      Uint32Array.from({ length: 40 }, (_, i) => i % 3),
      6,
      3,
      0.01,
    );
    const theta = Float64Array.from({ length: 21 }, () => random());
    const [g1, g2] = [new Float64Array(21), new Float64Array(21)];
    expect(f(theta, g1)).toBe(f(theta, g2));
    expect(g2).toEqual(g1);
  });
});

describe('gramOfRows (WebAssembly kernel)', () => {
  it.each([
    [3, 1],
    [13, 4],
    [13, 7],
    [8, 22],
  ])('should equal the lower triangle of Σ u uᵀ when there are %i rows of %i values', (n, w) => {
    const random = mulberry32(n * 7 + w);
    const u = Float64Array.from({ length: n * w }, () => random() * 10 - 5);
    const g = gramOfRows(n, w, (rows) => rows.set(u));
    for (let p = 0; p < w; p++) {
      for (let q = 0; q <= p; q++) {
        let expected = 0;
        for (let i = 0; i < n; i++) expected += u[i * w + p] * u[i * w + q];
        expect(Math.abs(g[p * w + q] - expected)).toBeLessThan(1e-10);
      }
    }
  });
});
