import { columnsOf, PredictionColumns, RowPrediction } from 'src/modules/inference';
import { ClassOutcomes, NumericOutcomes, Outcomes } from './domain/outcomes';
import { DeltaOneError } from './deltaone.errors';

/**
 * A class as its key: a number stands for String(number) (a boolean for '1' or '0', as its class index), anything
 * else for its String(); numbers stay numbers so that integer classes need no string per row.
 */
type ClassKey = number | string;

const classKey = (v: unknown): ClassKey =>
  typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : String(v);

/** The keys '0' to '999999': integer labels are their own class index. */
const SMALL_INTEGER = /^(0|[1-9]\d{0,5})$/;
const isIndex = (k: ClassKey): boolean =>
  typeof k === 'number' ? Number.isInteger(k) && k >= 0 && k < 1e6 : SMALL_INTEGER.test(k);

/** probs.indexOf(Math.max(...probs)) of one row, without the row's array: -1 when a value is NaN or none. */
function argmax(values: ArrayLike<number>, from: number, width: number): number {
  let best = -1;
  for (let j = 0; j < width; j++) {
    const v = values[from + j];
    if (Number.isNaN(v)) return -1;
    if (best < 0 || v > values[from + best]) best = j;
  }
  return best;
}

interface VersionRows {
  /** Classes: each row's predicted class key. Numeric: each row's value. */
  predicted: ClassKey[];
  /** Every chunk's probabilities, or null once a chunk has none. */
  probabilities: { values: ArrayLike<number>; width: number; rows: number }[] | null;
}

/**
 * Turns both versions' predictions on the benchmark rows into per-row outcomes. Classes: integer labels (and
 * booleans) are their own class index, as the probabilities of a model trained on them are ordered; other labels
 * are indexed in sorted order (scikit-learn's `classes_`), so the positive class of binary metrics is the second.
 */
export class OutcomeCollector {
  private readonly labels: ClassKey[] = [];
  private readonly rawLabels: unknown[] = [];
  private readonly versions: [VersionRows, VersionRows] = [
    { predicted: [], probabilities: [] },
    { predicted: [], probabilities: [] },
  ];

  constructor(private readonly kind: 'classes' | 'numeric') {}

  get rows(): number {
    return this.rawLabels.length;
  }

  /** Predictions as rows (the row objects' path). */
  add(labels: unknown[], baseline: RowPrediction[], candidate: RowPrediction[]): void {
    this.addColumns(labels, columnsOf(baseline), columnsOf(candidate));
  }

  /** Predictions as columns (the matrix path): the same outcomes as `add` with the same predictions as rows. */
  addColumns(labels: unknown[], baseline: PredictionColumns, candidate: PredictionColumns): void {
    for (const l of labels) {
      this.rawLabels.push(l);
      if (this.kind === 'classes') this.labels.push(classKey(l));
    }
    [baseline, candidate].forEach((cols, i) => {
      const v = this.versions[i];
      if (this.kind === 'numeric') {
        for (let r = 0; r < cols.rows; r++) {
          const label = cols.label?.[r];
          const value = cols.value?.[r] ?? (typeof label === 'number' ? label : undefined);
          if (typeof value !== 'number') throw unscorable('a regressor must output one number per row');
          v.predicted.push(value);
        }
        return;
      }
      const probs = cols.probabilities;
      if (!probs) v.probabilities = null;
      else v.probabilities?.push({ ...probs, rows: cols.rows });
      for (let r = 0; r < cols.rows; r++) {
        const label = cols.label?.[r];
        if (label !== undefined) v.predicted.push(classKey(label));
        else if (probs) v.predicted.push(argmax(probs.values, r * probs.width, probs.width));
        else throw unscorable('a classifier must output a label or probabilities per row');
      }
    });
  }

  outcomes(): [Outcomes, Outcomes] {
    if (this.kind === 'numeric') {
      const labels = Float64Array.from(this.rawLabels, (l) => {
        if (typeof l !== 'number') throw unscorable('numeric labels must be numbers');
        return l;
      });
      const one = (v: VersionRows): NumericOutcomes => ({
        kind: 'numeric',
        labels,
        predicted: Float64Array.from(v.predicted as number[]),
      });
      return [one(this.versions[0]), one(this.versions[1])];
    }
    const index = this.classIndex();
    const labels = Int32Array.from(this.labels, index);
    const one = (v: VersionRows): ClassOutcomes => {
      const n = labels.length;
      const chunks = v.probabilities;
      let positiveScore: Float64Array | null = null;
      let trueProb: Float64Array | null = null;
      if (chunks) {
        positiveScore = new Float64Array(n);
        trueProb = new Float64Array(n);
        let r = 0;
        for (const { values, width, rows } of chunks) {
          for (let i = 0; i < rows; i++, r++) {
            // p[1] ?? 0 and p[label] ?? 0 of the row's probabilities.
            positiveScore[r] = width > 1 ? values[i * width + 1] : 0;
            trueProb[r] = labels[r] < width ? values[i * width + labels[r]] : 0;
          }
        }
      }
      return { kind: 'classes', labels, predicted: Int32Array.from(v.predicted, index), positiveScore, trueProb };
    };
    return [one(this.versions[0]), one(this.versions[1])];
  }

  private classIndex(): (k: ClassKey) => number {
    const keys = [this.labels, this.versions[0].predicted, this.versions[1].predicted];
    if (keys.every((ks) => ks.every(isIndex))) return (k) => Number(k);
    const all = new Set<string>();
    for (const ks of keys) for (const k of ks) all.add(String(k));
    const sorted = [...all].sort();
    const map = new Map(sorted.map((k, i) => [k, i]));
    return (k) => map.get(String(k))!;
  }
}

function unscorable(message: string): DeltaOneError {
  return new DeltaOneError('UNSCORABLE', `The benchmark cannot be scored: ${message}.`);
}

/** Per-row outcomes packed for storage: little-endian Float64 arrays. */
export function packOutcomes(o: Outcomes): { labels: Buffer; version: Buffer } {
  const parts: ArrayLike<number>[] = [o.predicted];
  if (o.kind === 'classes' && o.positiveScore && o.trueProb) parts.push(o.positiveScore, o.trueProb);
  const n = o.labels.length;
  const version = new Float64Array(n * parts.length);
  parts.forEach((p, i) => version.set(p, i * n));
  return { labels: Buffer.from(Float64Array.from(o.labels).buffer), version: Buffer.from(version.buffer) };
}
