import { Objective } from './lbfgs';
import { LOG_LOSS_EPS } from './metrics';

/**
 * Rows per block: the residuals of a block are kept, then the block's gradient is taken as Rᵀ X with the sums in
 * locals (four features at a time) instead of a load and store of the gradient per row and feature. 64 rows × 20
 * float64 features stay in L1.
 */
const BLOCK = 64;

/** z = b + x·w over one row, four partial sums (breaks the add chain; a fixed order, so deterministic). */
function rowDot(xs: Float64Array, row: number, w: Float64Array, at: number, d: number, bias: number): number {
  const d4 = d - (d & 3);
  let z0 = bias;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let j = 0;
  for (; j < d4; j += 4) {
    z0 += xs[row + j] * w[at + j];
    z1 += xs[row + j + 1] * w[at + j + 1];
    z2 += xs[row + j + 2] * w[at + j + 2];
    z3 += xs[row + j + 3] * w[at + j + 3];
  }
  for (; j < d; j++) z0 += xs[row + j] * w[at + j];
  return z0 + z1 + (z2 + z3);
}

/**
 * out[t] = bias + xs[first + t]·w[at..at+d) over a block of m rows, four features at a time with their weights in
 * locals: about half the loads of a dot product per row.
 */
function blockLogits(
  xs: Float64Array,
  first: number,
  m: number,
  d: number,
  w: Float64Array,
  at: number,
  bias: number,
  out: Float64Array,
) {
  const d4 = d - (d & 3);
  for (let t = 0; t < m; t++) out[t] = bias;
  let j = 0;
  for (; j < d4; j += 4) {
    const w0 = w[at + j];
    const w1 = w[at + j + 1];
    const w2 = w[at + j + 2];
    const w3 = w[at + j + 3];
    for (let t = 0, row = first * d + j; t < m; t++, row += d) {
      out[t] += xs[row] * w0 + xs[row + 1] * w1 + (xs[row + 2] * w2 + xs[row + 3] * w3);
    }
  }
  for (; j < d; j++) {
    const w0 = w[at + j];
    for (let t = 0, row = first * d + j; t < m; t++, row += d) out[t] += xs[row] * w0;
  }
}

/**
 * grad[at + j] += Σ_t r[t·stride + offset] · xs[(first + t)·d + j] over a block of m rows: column sums in locals.
 */
function addBlockGradient(
  xs: Float64Array,
  first: number,
  m: number,
  d: number,
  r: Float64Array,
  stride: number,
  offset: number,
  grad: Float64Array,
  at: number,
): void {
  const d4 = d - (d & 3);
  let j = 0;
  for (; j < d4; j += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let t = 0, row = first * d + j, q = offset; t < m; t++, row += d, q += stride) {
      const v = r[q];
      a0 += v * xs[row];
      a1 += v * xs[row + 1];
      a2 += v * xs[row + 2];
      a3 += v * xs[row + 3];
    }
    grad[at + j] += a0;
    grad[at + j + 1] += a1;
    grad[at + j + 2] += a2;
    grad[at + j + 3] += a3;
  }
  for (; j < d; j++) {
    let a0 = 0;
    for (let t = 0, row = first * d + j, q = offset; t < m; t++, row += d, q += stride) a0 += r[q] * xs[row];
    grad[at + j] += a0;
  }
}

/** Adds (λ/2)‖θ[0..weights)‖² to the mean loss and λθ to the mean gradient; the biases are not penalised. */
function finishObjective(theta: Float64Array, grad: Float64Array, weights: number, n: number, sum: number, l2: number) {
  let penalty = 0;
  for (let p = 0; p < grad.length; p++) grad[p] /= n;
  for (let p = 0; p < weights; p++) {
    penalty += theta[p] * theta[p];
    grad[p] += l2 * theta[p];
  }
  return sum / n + (l2 / 2) * penalty;
}

/**
 * Mean binary cross-entropy + (λ/2)‖w‖² over standardised rows `xs` [n × d], θ = [w (d), b]; `y` holds 0 or 1.
 */
export function binaryObjective(xs: Float64Array, y: Uint8Array, d: number, l2: number): Objective {
  const n = y.length;
  const residuals = new Float64Array(BLOCK);
  return (theta, grad) => {
    grad.fill(0);
    const b = theta[d];
    let linear = 0;
    let logs = 0;
    let gradBias = 0;
    for (let first = 0; first < n; first += BLOCK) {
      const m = Math.min(BLOCK, n - first);
      // log(1 + e^z) − y·z = max(z, 0) + log(1 + e^−|z|) − y·z; the log of the block's product of (1 + e^−|z|)
      // (each in [1, 2], so 64 of them stay finite) costs one Math.log per block instead of a log1p per row.
      let product = 1;
      blockLogits(xs, first, m, d, theta, 0, b, residuals);
      for (let t = 0; t < m; t++) {
        const z = residuals[t];
        const e = Math.exp(-Math.abs(z));
        const q = 1 + e;
        const yi = y[first + t];
        linear += (z > 0 ? z : 0) - yi * z;
        product *= q;
        const r = (z >= 0 ? 1 : e) / q - yi;
        residuals[t] = r;
        gradBias += r;
      }
      logs += Math.log(product);
      addBlockGradient(xs, first, m, d, residuals, 1, 0, grad, 0);
    }
    grad[d] = gradBias;
    return finishObjective(theta, grad, d, n, linear + logs, l2);
  };
}

/**
 * Mean softmax cross-entropy + (λ/2)‖W‖², θ = [W (K × d, one row per class, as scikit-learn's coef_), b (K)];
 * `y` holds class indices. Class-major so the inner loops run over the d features (longer loops, faster in V8).
 */
export function multinomialObjective(xs: Float64Array, y: Uint32Array, d: number, k: number, l2: number): Objective {
  const n = y.length;
  const z = new Float64Array(k);
  const residuals = new Float64Array(BLOCK * k);
  return (theta, grad) => {
    grad.fill(0);
    const bias = d * k;
    let linear = 0;
    let logs = 0;
    let product = 1;
    for (let first = 0; first < n; first += BLOCK) {
      const m = Math.min(BLOCK, n - first);
      for (let t = 0, row = first * d; t < m; t++, row += d) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) {
          const v = rowDot(xs, row, theta, c * d, d, theta[bias + c]);
          z[c] = v;
          if (v > max) max = v;
        }
        const label = y[first + t];
        // −log softmax(z)[label] = log Σ e^(z − max) + max − z[label]; the sums (each in [1, K]) are multiplied
        // and their log taken when the product nears overflow, not once per row.
        linear += max - z[label];
        let sum = 0;
        for (let c = 0; c < k; c++) {
          const e = Math.exp(z[c] - max);
          z[c] = e;
          sum += e;
        }
        product *= sum;
        if (product > 1e250) {
          logs += Math.log(product);
          product = 1;
        }
        const at = t * k;
        for (let c = 0; c < k; c++) residuals[at + c] = z[c] / sum;
        residuals[at + label] -= 1;
      }
      for (let c = 0; c < k; c++) {
        let gradBias = 0;
        for (let t = 0; t < m; t++) gradBias += residuals[t * k + c];
        grad[bias + c] += gradBias;
        addBlockGradient(xs, first, m, d, residuals, k, c, grad, c * d);
      }
    }
    return finishObjective(theta, grad, bias, n, linear + logs + Math.log(product), l2);
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
  const n = xs.length / d;
  const probabilities = new Float64Array(n * bias.length);
  const indices = new Uint32Array(n);
  const block = new BlockPredictor(d, weights, bias);
  for (let first = 0; first < n; first += BLOCK) {
    block.predict(xs, first, Math.min(BLOCK, n - first), probabilities, indices);
  }
  return { probabilities, indices };
}

/** accuracy and mean log loss of the classifier on standardised rows, without keeping the probabilities. */
export function linearClassifierMetrics(
  xs: Float64Array,
  d: number,
  weights: Float64Array,
  bias: Float64Array,
  y: Uint32Array,
): { accuracy: number; logloss: number } {
  const k = bias.length;
  const n = y.length;
  const block = new BlockPredictor(d, weights, bias);
  const p = new Float64Array(BLOCK * k);
  const best = new Uint32Array(BLOCK);
  let correct = 0;
  let logs = 0;
  // The clipped probabilities of the labels, multiplied until the product nears underflow (each is ≥ 1e-15), then
  // logged: one Math.log per ~16 rows at worst instead of one per row.
  let product = 1;
  for (let first = 0; first < n; first += BLOCK) {
    const m = Math.min(BLOCK, n - first);
    block.predict(xs, first, m, p, best, -first);
    for (let t = 0; t < m; t++) {
      const label = y[first + t];
      if (best[t] === label) correct++;
      product *= Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p[t * k + label]));
      if (product < 1e-250) {
        logs += Math.log(product);
        product = 1;
      }
    }
  }
  return { accuracy: correct / n, logloss: -(logs + Math.log(product)) / n };
}

/** Softmax probabilities and first arg max of blocks of rows: class-major weights, logits by blockLogits. */
class BlockPredictor {
  private readonly w: Float64Array;
  private readonly logits: Float64Array[];

  constructor(
    private readonly d: number,
    weights: Float64Array,
    private readonly bias: Float64Array,
  ) {
    const k = bias.length;
    this.w = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) this.w[c * d + j] = weights[j * k + c];
    this.logits = Array.from({ length: k }, () => new Float64Array(BLOCK));
  }

  /** Rows first..first+m into p[(first + shift + t)·K + c] and best[first + shift + t]. */
  predict(xs: Float64Array, first: number, m: number, p: Float64Array, best: Uint32Array, shift = 0): void {
    const { d, w, bias, logits } = this;
    const k = bias.length;
    for (let c = 0; c < k; c++) blockLogits(xs, first, m, d, w, c * d, bias[c], logits[c]);
    for (let t = 0, at = (first + shift) * k; t < m; t++, at += k) {
      let top = 0;
      for (let c = 1; c < k; c++) if (logits[c][t] > logits[top][t]) top = c;
      best[first + shift + t] = top;
      const max = logits[top][t];
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(logits[c][t] - max);
        p[at + c] = e;
        sum += e;
      }
      for (let c = 0; c < k; c++) p[at + c] /= sum;
    }
  }
}
