import { mulberry32, permutation } from './prng';
import { Standardiser } from './onnx-export';
import { TrainingData } from './types';

export interface Split {
  training: Uint32Array;
  validation: Uint32Array;
}

/** A held-out validation split by the seed: the same seed and row count give the same rows. */
export function splitRows(rows: number, fraction: number, seed: number): Split {
  const order = permutation(rows, mulberry32(seed));
  const held = Math.min(rows - 1, Math.max(1, Math.round(rows * fraction)));
  return { validation: order.slice(0, held).sort(), training: order.slice(held).sort() };
}

/**
 * Mean and std (population) fitted in float64 on the training rows, then rounded to float32 because the ONNX graph
 * stores them so: without it a feature offset of 1e4 puts 3e-4 between the trainer and onnxruntime. A zero std
 * becomes 1 (a constant feature contributes nothing instead of dividing by zero).
 */
export function fitStandardiser(data: TrainingData, rows: Uint32Array): Standardiser {
  const d = data.features;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += data.x[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const r of rows) {
    for (let j = 0; j < d; j++) {
      const c = data.x[r * d + j] - mean[j];
      std[j] += c * c;
    }
  }
  for (let j = 0; j < d; j++) {
    mean[j] = Math.fround(mean[j]);
    const s = Math.fround(Math.sqrt(std[j] / rows.length));
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/** The chosen rows standardised, in float64, row-major. */
export function standardise(data: TrainingData, rows: Uint32Array, s: Standardiser): Float64Array {
  const d = data.features;
  const out = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (let j = 0; j < d; j++) out[i * d + j] = (data.x[r * d + j] - s.mean[j]) / s.std[j];
  }
  return out;
}

export function pick(values: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

/** The distinct label values, ascending; class index i stands for classes[i]. */
export function classesOf(y: Float64Array): number[] {
  return [...new Set(y)].sort((a, b) => a - b);
}

export function roundToFloat32(values: Float64Array): Float64Array {
  return values.map((v) => Math.fround(v));
}
