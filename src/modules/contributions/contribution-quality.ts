import { ColumnSpec, isNumeric, Row } from './contribution.rules';
import { RowHashSet } from './row-hash-set';

/** Count, mean and sum of squared deviations (Welford) of one numeric column. */
export interface ColumnStats {
  count: number;
  mean: number;
  m2: number;
}

export const emptyStats = (): ColumnStats => ({ count: 0, mean: 0, m2: 0 });

export function addValue(s: ColumnStats, x: number): void {
  s.count++;
  const delta = x - s.mean;
  s.mean += delta / s.count;
  s.m2 += delta * (x - s.mean);
}

/** Population standard deviation, as the z-scores use. */
export const stdOf = (s: ColumnStats): number => (s.count === 0 ? 0 : Math.sqrt(Math.max(0, s.m2 / s.count)));

/** Mean and standard deviation per numeric column that outliers are measured against. */
export type OutlierReference = Record<string, { mean: number; std: number }>;

export interface QualityReport {
  rows: number;
  completeness: number;
  duplicateRows: number;
  duplicateRate: number;
  outliers: Record<string, number>;
  outlierRate: number;
  /** `model`: against the model's accepted data (at least MIN_REFERENCE_ROWS values per column); else `batch`. */
  outlierReference: 'model' | 'batch';
  labelCounts: Record<string, number> | null;
  labelBalance: number | null;
  score: number;
  /** How the score is made. */
  formula: string;
}

/** A model's accepted data is the outlier reference once each numeric column has this many values. */
export const MIN_REFERENCE_ROWS = 100;

export const QUALITY_FORMULA =
  'score = 0.5 * completeness + 0.2 * (1 - duplicateRate) + 0.2 * (1 - outlierRate) + 0.1 * labelBalance ' +
  '(labelBalance = 1 for numeric labels); completeness = non-null cells / cells; duplicateRate = repeated rows ' +
  '/ rows; outlierRate = numeric cells with |z| > 3 / numeric cells, z against the model accepted data when each ' +
  `numeric column has at least ${MIN_REFERENCE_ROWS} values there (outlierReference model), else within the ` +
  'batch; labelBalance = entropy of the label counts / log(number of labels), 1 with a single label';

const round = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * The quality statistics of a batch, fed chunk by chunk: cells and filled cells, Welford statistics per numeric
 * column, label counts and the hashes of the rows seen (to count repeats). Holds no row.
 */
export class QualityTally {
  rows = 0;
  private cells = 0;
  private filled = 0;
  private readonly seen = new RowHashSet();
  duplicateRows = 0;
  readonly stats: Record<string, ColumnStats> = {};
  private readonly labelCounts: Record<string, number> | null;
  private readonly numeric: ColumnSpec[];
  private readonly label: ColumnSpec | undefined;

  constructor(private readonly columns: readonly ColumnSpec[]) {
    this.numeric = columns.filter(isNumeric);
    for (const c of this.numeric) this.stats[c.name] = emptyStats();
    this.label = columns.find((c) => c.type === 'label');
    this.labelCounts = this.label && this.label.labelKind !== 'numeric' ? {} : null;
  }

  /** Adds rows (`hashes[i]` is the hash of `rows[i]`); returns, per row, whether it is its first time in the batch. */
  add(rows: readonly Row[], hashes: readonly string[]): boolean[] {
    const first: boolean[] = [];
    rows.forEach((row, i) => {
      this.rows++;
      for (const c of this.columns) {
        this.cells++;
        if (row[c.name] !== null && row[c.name] !== undefined) this.filled++;
      }
      for (const c of this.numeric) {
        const v = row[c.name];
        if (typeof v === 'number') addValue(this.stats[c.name], v);
      }
      if (this.labelCounts) {
        const key = String(row[this.label!.name]);
        this.labelCounts[key] = (this.labelCounts[key] ?? 0) + 1;
      }
      const isFirst = this.seen.add(hashes[i]);
      if (!isFirst) this.duplicateRows++;
      first.push(isFirst);
    });
    return first;
  }

  /** The batch's own means and deviations, for outliers within the batch. */
  batchReference(): OutlierReference {
    return Object.fromEntries(
      Object.entries(this.stats).map(([name, s]) => [name, { mean: s.mean, std: s.count < 2 ? 0 : stdOf(s) }]),
    );
  }

  /** The report, given the outliers counted per numeric column against `reference`. */
  report(outliers: Record<string, number>, reference: 'model' | 'batch'): QualityReport {
    const n = this.rows;
    const completeness = this.cells === 0 ? 0 : this.filled / this.cells;
    const duplicateRate = n === 0 ? 0 : this.duplicateRows / n;
    const numericCells = Object.values(this.stats).reduce((sum, s) => sum + s.count, 0);
    const outlierCells = Object.values(outliers).reduce((sum, k) => sum + k, 0);
    const outlierRate = numericCells === 0 ? 0 : outlierCells / numericCells;
    let labelBalance: number | null = null;
    if (this.labelCounts) {
      const counts = Object.values(this.labelCounts);
      if (counts.length <= 1) labelBalance = 1;
      else {
        const entropy = counts.reduce((h, k) => h - (k / n) * Math.log(k / n), 0);
        labelBalance = entropy / Math.log(counts.length);
      }
    }
    const score = 0.5 * completeness + 0.2 * (1 - duplicateRate) + 0.2 * (1 - outlierRate) + 0.1 * (labelBalance ?? 1);
    return {
      rows: n,
      completeness: round(completeness),
      duplicateRows: this.duplicateRows,
      duplicateRate: round(duplicateRate),
      outliers: Object.fromEntries(this.numeric.map((c) => [c.name, outliers[c.name] ?? 0])),
      outlierRate: round(outlierRate),
      outlierReference: reference,
      labelCounts: this.labelCounts,
      labelBalance: labelBalance === null ? null : round(labelBalance),
      score: round(Math.min(1, Math.max(0, score))),
      formula: QUALITY_FORMULA,
    };
  }
}
