import { Outputs } from './micro-batcher';
import { plain } from './oip-codec';

export interface RowPrediction {
  /** Class label, for classifiers. */
  label?: number | string;
  /** Class probabilities, for classifiers. */
  probabilities?: number[];
  /** The predicted value, for regressors. */
  value?: number;
  /** The model's other outputs for this row (only when label, probabilities and value do not cover them all). */
  outputs?: Record<string, number | string | boolean | (number | string | boolean)[]>;
}

const LABEL = /label/i;
const PROBABILITY = /prob|score/i;

/**
 * One entry per row. Classifiers (an output named like "label", and one like "probabilities"/"scores") get
 * `label` and `probabilities`; a single numeric output of one value per row is a regressor's `value`; any other
 * output goes under `outputs` by name.
 */
export function formatRows(outputs: Outputs, rows: number): RowPrediction[] {
  const perRow = Object.entries(outputs).map(([name, t]) => {
    const values = plain(t.data);
    const width = t.dims[0] === rows && rows > 0 ? values.length / rows : values.length;
    return { name, values, width, batched: t.dims[0] === rows };
  });
  const labelOut = perRow.find((o) => LABEL.test(o.name) && o.width === 1);
  const probOut = perRow.find((o) => PROBABILITY.test(o.name) && o !== labelOut);
  const single =
    perRow.length === 1 && perRow[0].width === 1 && typeof perRow[0].values[0] === 'number' ? perRow[0] : undefined;

  const covered = new Set([labelOut, probOut, !labelOut && !probOut ? single : undefined].filter(Boolean));
  const others = perRow.filter((o) => !covered.has(o));
  const result: RowPrediction[] = new Array<RowPrediction>(rows);
  for (let r = 0; r < rows; r++) {
    const row: RowPrediction = {};
    if (labelOut) row.label = labelOut.values[r] as number | string;
    if (probOut) row.probabilities = probOut.values.slice(r * probOut.width, (r + 1) * probOut.width) as number[];
    if (!labelOut && !probOut && single) row.value = single.values[r] as number;
    if (others.length > 0) {
      row.outputs = {};
      for (const o of others) {
        const slice = o.batched ? o.values.slice(r * o.width, (r + 1) * o.width) : o.values;
        row.outputs[o.name] = o.batched && o.width === 1 ? slice[0] : slice;
      }
    }
    result[r] = row;
  }
  return result;
}
