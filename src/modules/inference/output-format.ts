import { Outputs, OutputTensor } from './micro-batcher';

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
  const { labelOut, probOut, single, others } = outputRoles(outputs, rows);
  // Arrays filled by push stay packed, which JSON.stringify serializes on its fast path (not a holey `new Array(n)`).
  const result: RowPrediction[] = [];
  for (let r = 0; r < rows; r++) {
    const row: RowPrediction = {};
    if (labelOut) row.label = scalar(labelOut.values[r]) as number | string;
    if (probOut) row.probabilities = take(probOut.values, r * probOut.width, probOut.width) as number[];
    if (single) row.value = scalar(single.values[r]) as number;
    if (others.length > 0) {
      row.outputs = {};
      for (const o of others) {
        const slice = o.batched ? take(o.values, r * o.width, o.width) : take(o.values, 0, o.values.length);
        row.outputs[o.name] = o.batched && o.width === 1 ? slice[0] : slice;
      }
    }
    result.push(row);
  }
  return result;
}

interface Role {
  name: string;
  values: OutputTensor['data'];
  width: number;
  batched: boolean;
}

/**
 * Which output is the label, which the probabilities, which a regressor's value (formatRows' rules). Plain loops:
 * it runs for every model run, and entries/map/find/filter/Set cost about a kilobyte of garbage each time.
 */
export function outputRoles(
  outputs: Outputs,
  rows: number,
): { labelOut?: Role; probOut?: Role; single?: Role; others: Role[] } {
  const perRow: Role[] = [];
  for (const name in outputs) {
    const t = outputs[name];
    const width = t.dims[0] === rows && rows > 0 ? t.data.length / rows : t.data.length;
    perRow.push({ name, values: t.data, width, batched: t.dims[0] === rows });
  }
  let labelOut: Role | undefined;
  for (const o of perRow) {
    if (LABEL.test(o.name) && o.width === 1) {
      labelOut = o;
      break;
    }
  }
  let probOut: Role | undefined;
  for (const o of perRow) {
    if (PROBABILITY.test(o.name) && o !== labelOut) {
      probOut = o;
      break;
    }
  }
  const single =
    !labelOut &&
    !probOut &&
    perRow.length === 1 &&
    perRow[0].width === 1 &&
    typeof scalar(perRow[0].values[0]) === 'number'
      ? perRow[0]
      : undefined;
  const others: Role[] = [];
  for (const o of perRow) if (o !== labelOut && o !== probOut && o !== single) others.push(o);
  return { labelOut, probOut, single, others };
}

export type Scalar = number | string | boolean;

/** JSON has no 64-bit integers: int64 outputs come back as numbers. */
export function scalar(v: number | bigint | string | boolean): Scalar {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** `count` values from `from`, as JSON can carry them. */
export function take(values: OutputTensor['data'], from: number, count: number): Scalar[] {
  const out: Scalar[] = [];
  for (let i = 0; i < count; i++) out.push(scalar(values[from + i]));
  return out;
}
