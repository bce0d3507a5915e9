import { gramOfRows } from './linear-kernel';

/**
 * Solves (XsᵀXs/n + λI) w = Xsᵀ(y − ȳ)/n by Cholesky on standardised rows `xs` [n × d]. Throws when the matrix is
 * not positive definite (collinear features with λ = 0). The trainer builds the same system from raw-row sums
 * (solveRidgeFromSums); this direct form is the reference it is tested against.
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

/**
 * Sums over the chosen raw rows, each shifted by the first chosen row (so offsets like 1e4 do not cancel later):
 * u = x − shift, v = y − yShift; Σu, Σu², the lower triangle of Σuuᵀ and Σu·v. One pass over the float32 rows
 * instead of a standardised float64 copy: the standardised system follows from these algebraically.
 */
export interface RowSums {
  n: number;
  shift: Float64Array;
  yShift: number;
  sum: Float64Array;
  squares: Float64Array;
  /** Lower triangle, row-major [d × d]: gram[p·d + q] for q ≤ p. */
  gram: Float64Array;
  ySum: number;
  xy: Float64Array;
}

export function rowSums(x: Float32Array, y: Float64Array, rows: Uint32Array, d: number): RowSums {
  const n = rows.length;
  const shift = new Float64Array(d);
  const yShift = n > 0 ? y[rows[0]] : 0;
  if (n > 0) for (let j = 0; j < d; j++) shift[j] = x[rows[0] * d + j];
  // The Gram matrix of the rows [u, v, 1] holds every sum: Σuuᵀ, then Σu·v and Σv in row d, Σu, Σv and n in row d + 1.
  const w = d + 2;
  const g = gramOfRows(n, w, (out) => {
    for (let i = 0; i < n; i++) {
      const from = rows[i] * d;
      const to = i * w;
      for (let j = 0; j < d; j++) out[to + j] = x[from + j] - shift[j];
      out[to + d] = y[rows[i]] - yShift;
      out[to + d + 1] = 1;
    }
  });
  const gram = new Float64Array(d * d);
  for (let p = 0; p < d; p++) gram.set(g.subarray(p * w, p * w + p + 1), p * d);
  const squares = new Float64Array(d);
  for (let j = 0; j < d; j++) squares[j] = gram[j * d + j];
  return {
    n,
    shift,
    yShift,
    sum: g.slice((d + 1) * w, (d + 1) * w + d),
    squares,
    gram,
    ySum: g[(d + 1) * w + d],
    xy: g.slice(d * w, d * w + d),
  };
}

/**
 * solveRidge's system for the rows standardised by (mean, std), from their raw sums: with δ = mean − shift,
 * Σ xsₚ xs_q = (Gₚq − δₚ S_q − δ_q Sₚ + n δₚ δ_q) / (sₚ s_q) and Σ xsₚ (y − ȳ) = (Σuₚv − Sₚ Σv / n) / sₚ.
 * Returns the weights on standardised features and the standardised columns' means (not exactly 0: mean is the
 * float32-rounded one), for the intercept ȳ − mean(Xs)·w.
 */
export function solveRidgeFromSums(
  sums: RowSums,
  mean: Float64Array,
  std: Float64Array,
  l2: number,
): { weights: Float64Array; columnMeans: Float64Array; yMean: number } {
  const { n, shift, sum, gram, xy, ySum } = sums;
  const d = shift.length;
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) delta[j] = mean[j] - shift[j];
  const a = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  for (let p = 0; p < d; p++) {
    rhs[p] = (xy[p] - (sum[p] * ySum) / n) / std[p] / n;
    for (let q = 0; q <= p; q++) {
      const centred = gram[p * d + q] - delta[p] * sum[q] - delta[q] * sum[p] + n * delta[p] * delta[q];
      a[p * d + q] = centred / (std[p] * std[q]) / n + (p === q ? l2 : 0);
      a[q * d + p] = a[p * d + q];
    }
  }
  const columnMeans = new Float64Array(d);
  for (let j = 0; j < d; j++) columnMeans[j] = (sum[j] / n - delta[j]) / std[j];
  return { weights: choleskySolve(a, rhs, d), columnMeans, yMean: sums.yShift + ySum / n };
}

/** (x − mean)/std · w + intercept for each chosen raw row: the exported graph's value, in float64. */
export function predictRows(
  x: Float32Array,
  rows: Uint32Array,
  d: number,
  mean: Float64Array,
  std: Float64Array,
  weights: Float64Array,
  intercept: number,
): Float64Array {
  const scaled = new Float64Array(d);
  for (let j = 0; j < d; j++) scaled[j] = weights[j] / std[j];
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const at = rows[i] * d;
    let v = intercept;
    for (let j = 0; j < d; j++) v += (x[at + j] - mean[j]) * scaled[j];
    out[i] = v;
  }
  return out;
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
