import { Objective } from './lbfgs';

/**
 * Mean binary cross-entropy + (λ/2)‖w‖² over standardised rows `xs` [n × d], θ = [w (d), b]; `y` holds 0 or 1.
 */
export function binaryObjective(xs: Float64Array, y: Uint8Array, d: number, l2: number): Objective {
  const n = y.length;
  return (theta, grad) => {
    grad.fill(0);
    const b = theta[d];
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let z = b;
      for (let j = 0; j < d; j++) z += xs[row + j] * theta[j];
      // log(1 + e^z) − y·z and the sigmoid from one exp(−|z|), finite for any z.
      const e = Math.exp(-Math.abs(z));
      loss += (z > 0 ? z : 0) + Math.log1p(e) - y[i] * z;
      const r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[i];
      for (let j = 0; j < d; j++) grad[j] += r * xs[row + j];
      grad[d] += r;
    }
    let penalty = 0;
    for (let j = 0; j <= d; j++) grad[j] /= n;
    for (let j = 0; j < d; j++) {
      penalty += theta[j] * theta[j];
      grad[j] += l2 * theta[j];
    }
    return loss / n + (l2 / 2) * penalty;
  };
}

/**
 * Mean softmax cross-entropy + (λ/2)‖W‖², θ = [W (K × d, one row per class, as scikit-learn's coef_), b (K)];
 * `y` holds class indices. Class-major so the inner loops run over the d features (longer loops, faster in V8).
 */
export function multinomialObjective(xs: Float64Array, y: Uint32Array, d: number, k: number, l2: number): Objective {
  const n = y.length;
  const z = new Float64Array(k);
  return (theta, grad) => {
    grad.fill(0);
    const bias = d * k;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const w = c * d;
        let v = theta[bias + c];
        for (let j = 0; j < d; j++) v += xs[row + j] * theta[w + j];
        z[c] = v;
        if (v > max) max = v;
      }
      const label = y[i];
      // −log softmax(z)[label] = log Σ e^(z − max) + max − z[label], taken before z is overwritten.
      loss += max - z[label];
      let sum = 0;
      for (let c = 0; c < k; c++) {
        z[c] = Math.exp(z[c] - max);
        sum += z[c];
      }
      loss += Math.log(sum);
      for (let c = 0; c < k; c++) {
        const r = z[c] / sum - (c === label ? 1 : 0);
        const w = c * d;
        for (let j = 0; j < d; j++) grad[w + j] += r * xs[row + j];
        grad[bias + c] += r;
      }
    }
    let penalty = 0;
    for (let p = 0; p < grad.length; p++) grad[p] /= n;
    for (let p = 0; p < bias; p++) {
      penalty += theta[p] * theta[p];
      grad[p] += l2 * theta[p];
    }
    return loss / n + (l2 / 2) * penalty;
  };
}

/** W [K × d] (class-major) as the graph's MatMul takes it, [d × K]. */
export function transpose(w: Float64Array, k: number, d: number): Float64Array {
  const out = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[j * k + c] = w[c * d + j];
  return out;
}

/**
 * Probabilities [rows × K] and class indices of standardised rows under W [d × K], b [K], the way the exported
 * graph computes them (MatMul, Add, Softmax; ArgMax with the first maximum winning).
 */
export function predictLinearClassifier(
  xs: Float64Array,
  d: number,
  weights: Float64Array,
  bias: Float64Array,
): { probabilities: Float64Array; indices: Uint32Array } {
  const k = bias.length;
  const n = xs.length / d;
  const probabilities = new Float64Array(n * k);
  const indices = new Uint32Array(n);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) z[c] = bias[c];
    for (let j = 0; j < d; j++) {
      const x = xs[i * d + j];
      for (let c = 0; c < k; c++) z[c] += x * weights[j * k + c];
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (z[c] > z[best]) best = c;
    indices[i] = best;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(z[c] - z[best]);
    for (let c = 0; c < k; c++) probabilities[i * k + c] = Math.exp(z[c] - z[best]) / sum;
  }
  return { probabilities, indices };
}
