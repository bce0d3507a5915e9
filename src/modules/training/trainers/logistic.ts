import { LOG_LOSS_EPS } from './metrics';

/** Rows per block of predictions: 64 rows × 20 float64 features stay in L1. */
const BLOCK = 64;

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
