import { Outputs } from './micro-batcher';
import { formatRows, outputRoles, RowPrediction, Scalar } from './output-format';

/**
 * formatRows' label, probabilities and value as columns: what a batch scorer reads per row, without an object per
 * row. A column is null when no row has it (probabilities: when some row has none).
 */
export interface PredictionColumns {
  rows: number;
  /** Each row's label (undefined where a row has none). */
  label: ArrayLike<Scalar | undefined> | null;
  /** `width` values per row. */
  probabilities: { values: ArrayLike<number>; width: number } | null;
  /** Each row's value (undefined where a row has none). */
  value: ArrayLike<number | undefined> | null;
}

/** Numbers as numbers (int64 outputs come back as bigint); other arrays as they are. */
function column(values: Outputs[string]['data']): ArrayLike<Scalar> {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return Float64Array.from(values, Number);
  return values as ArrayLike<Scalar>;
}

/**
 * The outputs of a run as columns, the same values formatRows gives each row. Outputs whose rows are not the
 * first dimension take formatRows' path.
 */
export function predictionColumns(outputs: Outputs, rows: number): PredictionColumns {
  const { labelOut, probOut, single } = outputRoles(outputs, rows);
  if ([labelOut, probOut, single].some((o) => o && !o.batched)) return columnsOf(formatRows(outputs, rows));
  return {
    rows,
    label: labelOut ? column(labelOut.values) : null,
    probabilities: probOut ? { values: column(probOut.values) as ArrayLike<number>, width: probOut.width } : null,
    value: single ? (column(single.values) as ArrayLike<number>) : null,
  };
}

/** Rows' predictions as columns (every row's probabilities as wide as the first row's). */
export function columnsOf(preds: RowPrediction[]): PredictionColumns {
  const rows = preds.length;
  const hasProbs = rows > 0 && preds.every((p) => p.probabilities !== undefined);
  const width = hasProbs ? preds[0].probabilities!.length : 0;
  const probs = hasProbs ? new Float64Array(rows * width) : null;
  if (probs) preds.forEach((p, r) => probs.set(p.probabilities!.slice(0, width), r * width));
  return {
    rows,
    label: preds.some((p) => p.label !== undefined) ? preds.map((p) => p.label) : null,
    probabilities: probs ? { values: probs, width } : null,
    value: preds.some((p) => p.value !== undefined) ? preds.map((p) => p.value) : null,
  };
}
