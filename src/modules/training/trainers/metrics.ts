import { Metrics } from './types';

/** Probabilities are clipped to [ε, 1 − ε] before the log (as scikit-learn's log_loss did). */
export const LOG_LOSS_EPS = 1e-15;

/** accuracy and mean log loss; `probabilities` is [rows × K], `y` the class index per row. */
export function classificationMetrics(probabilities: Float64Array, indices: Uint32Array, y: Uint32Array): Metrics {
  const n = y.length;
  const k = probabilities.length / Math.max(1, n);
  let correct = 0;
  let logloss = 0;
  for (let i = 0; i < n; i++) {
    if (indices[i] === y[i]) correct++;
    logloss -= Math.log(Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, probabilities[i * k + y[i]])));
  }
  return { accuracy: correct / n, logloss: logloss / n };
}

export function regressionMetrics(predicted: Float64Array, y: Float64Array): Metrics {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let se = 0;
  let ae = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i] - y[i];
    se += e * e;
    ae += Math.abs(e);
    total += (y[i] - mean) * (y[i] - mean);
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: total > 0 ? 1 - se / total : 0 };
}
