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
  // Both lists ascending, as sorting them would give, from a mark per row: O(rows), no sort.
  const heldOut = new Uint8Array(rows);
  for (let i = 0; i < held; i++) heldOut[order[i]] = 1;
  const validation = new Uint32Array(held);
  const training = new Uint32Array(rows - held);
  for (let r = 0, v = 0, t = 0; r < rows; r++) {
    if (heldOut[r] === 1) validation[v++] = r;
    else training[t++] = r;
  }
  return { validation, training };
}

/**
 * Mean and std (population) fitted in float64 on the training rows, then rounded to float32 because the ONNX graph
 * stores them so: without it a feature offset of 1e4 puts 3e-4 between the trainer and onnxruntime. A zero std
 * becomes 1 (a constant feature contributes nothing instead of dividing by zero).
 */
export function fitStandardiser(data: TrainingData, rows: Uint32Array): Standardiser {
  const d = data.features;
  const x = data.x;
  const n = rows.length;
  // One pass over the rows, shifted by the first row so that large offsets do not cancel in Σx² − (Σx)²/n.
  const shift = new Float64Array(d);
  const sum = new Float64Array(d);
  const squares = new Float64Array(d);
  if (n > 0) for (let j = 0; j < d; j++) shift[j] = x[rows[0] * d + j];
  for (let i = 0; i < n; i++) {
    const at = rows[i] * d;
    for (let j = 0; j < d; j++) {
      const c = x[at + j] - shift[j];
      sum[j] += c;
      squares[j] += c * c;
    }
  }
  return standardiserFromSums(shift, sum, squares, n);
}

/**
 * Mean and std from Σ(x − shift) and Σ(x − shift)² over n rows, rounded to float32 (see fitStandardiser).
 */
export function standardiserFromSums(
  shift: Float64Array,
  sum: Float64Array,
  squares: Float64Array,
  n: number,
): Standardiser {
  const d = shift.length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const centred = sum[j] / n;
    mean[j] = Math.fround(shift[j] + centred);
    const s = Math.fround(Math.sqrt(Math.max(0, squares[j] / n - centred * centred)));
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/** The chosen rows standardised, in float64, row-major. */
export function standardise(data: TrainingData, rows: Uint32Array, s: Standardiser): Float64Array {
  const d = data.features;
  const x = data.x;
  const { mean, std } = s;
  const n = rows.length;
  const out = new Float64Array(n * d);
  for (let i = 0, o = 0; i < n; i++, o += d) {
    const at = rows[i] * d;
    for (let j = 0; j < d; j++) out[o + j] = (x[at + j] - mean[j]) / std[j];
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
