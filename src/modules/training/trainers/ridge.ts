/**
 * Solves (XsᵀXs/n + λI) w = Xsᵀ(y − ȳ)/n by Cholesky on standardised rows `xs` [n × d]. Throws when the matrix is
 * not positive definite (collinear features with λ = 0).
 */
export function solveRidge(xs: Float64Array, y: Float64Array, d: number, l2: number): Float64Array {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const a = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    const r = y[i] - mean;
    for (let p = 0; p < d; p++) {
      const xp = xs[row + p];
      rhs[p] += xp * r;
      for (let q = 0; q <= p; q++) a[p * d + q] += xp * xs[row + q];
    }
  }
  for (let p = 0; p < d; p++) {
    rhs[p] /= n;
    for (let q = 0; q <= p; q++) {
      a[p * d + q] = a[p * d + q] / n + (p === q ? l2 : 0);
      a[q * d + p] = a[p * d + q];
    }
  }
  return choleskySolve(a, rhs, d);
}

/** Solves A x = b for a symmetric positive definite A [d × d] (row-major). */
export function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(sum > 1e-12)) {
          throw new Error('the features are collinear: the ridge system is singular (raise hyperparameters.l2)');
        }
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j];
      }
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * d + k] * z[k];
    z[i] = sum / l[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i] * x[k];
    x[i] = sum / l[i * d + i];
  }
  return x;
}

/** Xs w + intercept for each standardised row. */
export function predictLinear(xs: Float64Array, d: number, weights: Float64Array, intercept: number): Float64Array {
  const n = xs.length / d;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = intercept;
    for (let j = 0; j < d; j++) v += xs[i * d + j] * weights[j];
    out[i] = v;
  }
  return out;
}
