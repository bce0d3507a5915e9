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
      // log(1 + e^z) − y·z, written to stay finite for large |z|.
      loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
      const r = 1 / (1 + Math.exp(-z)) - y[i];
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
 * Mean softmax cross-entropy + (λ/2)‖W‖², θ = [W (d × K, row-major), b (K)]; `y` holds class indices.
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
      for (let c = 0; c < k; c++) z[c] = theta[bias + c];
      for (let j = 0; j < d; j++) {
        const x = xs[row + j];
        const w = j * k;
        for (let c = 0; c < k; c++) z[c] += x * theta[w + c];
      }
      let max = z[0];
      for (let c = 1; c < k; c++) if (z[c] > max) max = z[c];
      let sum = 0;
      for (let c = 0; c < k; c++) {
        z[c] = Math.exp(z[c] - max);
        sum += z[c];
      }
      const label = y[i];
      loss += Math.log(sum) - Math.log(z[label]);
      for (let c = 0; c < k; c++) z[c] = z[c] / sum - (c === label ? 1 : 0);
      for (let j = 0; j < d; j++) {
        const x = xs[row + j];
        const w = j * k;
        for (let c = 0; c < k; c++) grad[w + c] += x * z[c];
      }
      for (let c = 0; c < k; c++) grad[bias + c] += z[c];
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
