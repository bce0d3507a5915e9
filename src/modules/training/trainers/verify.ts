import * as ort from 'onnxruntime-node';
import { INPUT_NAME, LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT } from './onnx-export';
import { OwnPredictions, TrainingData, Verification } from './types';

export const PROBABILITY_TOLERANCE = 1e-5;
/** Regressor outputs are float32: compare relative to max(1, |value|). */
export const VALUE_RELATIVE_TOLERANCE = 1e-5;

export class VerificationError extends Error {
  override name = 'VerificationError';
  constructor(
    message: string,
    readonly figures: Verification,
  ) {
    super(message);
  }
}

/**
 * Runs the exported model with onnxruntime on `rows` of `data` and compares it with the trainer's own predictions:
 * probabilities within 1e-5 and equal labels for classifiers, values within a relative 1e-5 for regressors.
 * Throws a VerificationError carrying the figures on a mismatch.
 */
export async function verifyOnnx(
  onnx: Uint8Array,
  data: TrainingData,
  rows: Uint32Array,
  own: OwnPredictions,
): Promise<Verification> {
  const d = data.features;
  const x = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) x.set(data.x.subarray(rows[i] * d, rows[i] * d + d), i * d);
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', x, [rows.length, d]) });
    let maxDifference = 0;
    let labelMismatches = 0;
    if (own.values) {
      const values = out[VALUE_OUTPUT].data as Float32Array;
      for (let i = 0; i < rows.length; i++) {
        const diff = Math.abs(values[i] - own.values[i]) / Math.max(1, Math.abs(own.values[i]));
        maxDifference = Math.max(maxDifference, diff);
      }
    } else {
      const probabilities = out[PROBABILITIES_OUTPUT].data as Float32Array;
      const labels = out[LABEL_OUTPUT].data as BigInt64Array;
      for (let i = 0; i < probabilities.length; i++) {
        maxDifference = Math.max(maxDifference, Math.abs(probabilities[i] - own.probabilities![i]));
      }
      for (let i = 0; i < rows.length; i++) if (Number(labels[i]) !== own.labels![i]) labelMismatches++;
    }
    const figures = { rows: rows.length, maxDifference, labelMismatches };
    const tolerance = own.values ? VALUE_RELATIVE_TOLERANCE : PROBABILITY_TOLERANCE;
    if (!(maxDifference <= tolerance) || labelMismatches > 0) {
      throw new VerificationError(
        `the exported ONNX model disagrees with the trainer on ${rows.length} validation rows: max ${
          own.values ? 'relative' : 'abs'
        } difference ${maxDifference} (tolerance ${tolerance}), ${labelMismatches} label mismatches`,
        figures,
      );
    }
    return figures;
  } finally {
    await session.release();
  }
}
