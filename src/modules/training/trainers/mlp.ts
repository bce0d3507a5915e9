import { gaussian, mulberry32, permutation } from './prng';

export interface MlpWeights {
  /** [d × h], [h], [h × K], [K], row-major as the graph's Gemm nodes take them. */
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

export interface MlpOptions {
  hidden: number;
  classes: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  l2: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * One hidden ReLU layer and a softmax head, trained with Adam on mini-batches of mean cross-entropy + (λ/2)‖W‖².
 * He initialisation and the per-epoch shuffles come from the seed, so a run is reproducible bit for bit.
 */
export function trainMlp(xs: Float64Array, y: Uint32Array, d: number, o: MlpOptions): MlpWeights {
  const n = y.length;
  const h = o.hidden;
  const k = o.classes;
  const random = mulberry32(o.seed ^ 0x9e3779b9);
  const scale1 = Math.sqrt(2 / d);
  const scale2 = Math.sqrt(2 / h);
  // One parameter vector [w1 | b1 | w2 | b2] so Adam runs over one array.
  const size = d * h + h + h * k + k;
  const theta = new Float64Array(size);
  const W1 = 0;
  const B1 = d * h;
  const W2 = B1 + h;
  const B2 = W2 + h * k;
  for (let i = 0; i < d * h; i++) theta[W1 + i] = gaussian(random) * scale1;
  for (let i = 0; i < h * k; i++) theta[W2 + i] = gaussian(random) * scale2;
  const grad = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const a = new Float64Array(h);
  const z = new Float64Array(k);
  const da = new Float64Array(h);
  let step = 0;

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = permutation(n, random);
    let epochLoss = 0;
    for (let start = 0; start < n; start += o.batchSize) {
      const end = Math.min(n, start + o.batchSize);
      grad.fill(0);
      for (let s = start; s < end; s++) {
        const row = order[s] * d;
        for (let u = 0; u < h; u++) {
          let t = theta[B1 + u];
          for (let j = 0; j < d; j++) t += xs[row + j] * theta[W1 + j * h + u];
          a[u] = t > 0 ? t : 0;
        }
        let max = -Infinity;
        for (let c = 0; c < k; c++) {
          let t = theta[B2 + c];
          for (let u = 0; u < h; u++) t += a[u] * theta[W2 + u * k + c];
          z[c] = t;
          if (t > max) max = t;
        }
        const label = y[order[s]];
        epochLoss += max - z[label];
        let sum = 0;
        for (let c = 0; c < k; c++) {
          z[c] = Math.exp(z[c] - max);
          sum += z[c];
        }
        epochLoss += Math.log(sum);
        for (let c = 0; c < k; c++) z[c] = z[c] / sum - (c === label ? 1 : 0);
        da.fill(0);
        for (let u = 0; u < h; u++) {
          for (let c = 0; c < k; c++) {
            grad[W2 + u * k + c] += a[u] * z[c];
            da[u] += theta[W2 + u * k + c] * z[c];
          }
          if (a[u] <= 0) da[u] = 0;
        }
        for (let c = 0; c < k; c++) grad[B2 + c] += z[c];
        for (let j = 0; j < d; j++) {
          const x = xs[row + j];
          for (let u = 0; u < h; u++) grad[W1 + j * h + u] += x * da[u];
        }
        for (let u = 0; u < h; u++) grad[B1 + u] += da[u];
      }
      const count = end - start;
      step++;
      const c1 = 1 - BETA1 ** step;
      const c2 = 1 - BETA2 ** step;
      for (let p = 0; p < size; p++) {
        const weight = p < B1 || (p >= W2 && p < B2);
        const g = grad[p] / count + (weight ? o.l2 * theta[p] : 0);
        m[p] = BETA1 * m[p] + (1 - BETA1) * g;
        v[p] = BETA2 * v[p] + (1 - BETA2) * g * g;
        theta[p] -= (o.learningRate * (m[p] / c1)) / (Math.sqrt(v[p] / c2) + EPSILON);
      }
    }
    o.onEpoch?.(epoch, epochLoss / n);
  }
  return {
    w1: theta.slice(W1, B1),
    b1: theta.slice(B1, W2),
    w2: theta.slice(W2, B2),
    b2: theta.slice(B2),
  };
}

/** Hidden ReLU activations of standardised rows, for the linear head (predictLinearClassifier) to finish. */
export function mlpHidden(xs: Float64Array, d: number, w: MlpWeights): Float64Array {
  const h = w.b1.length;
  const n = xs.length / d;
  const out = new Float64Array(n * h);
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < h; u++) {
      let t = w.b1[u];
      for (let j = 0; j < d; j++) t += xs[i * d + j] * w.w1[j * h + u];
      out[i * h + u] = t > 0 ? t : 0;
    }
  }
  return out;
}
