import { createHash } from 'node:crypto';
import { getAddress, verifyMessage } from 'ethers';
import { FeatureSpec, LabelKind } from 'src/modules/registry';

export type Row = Record<string, unknown>;

/** A column a row gets wrong: the row is left out of the contribution. */
export interface RowProblem {
  row: number;
  column: string;
  code: 'MISSING_COLUMN' | 'UNKNOWN_COLUMN' | 'WRONG_TYPE' | 'MISSING_LABEL';
}

export interface ColumnSpec {
  name: string;
  type: 'float' | 'int' | 'string' | 'label';
  labelKind?: LabelKind | null;
}

/** How far a signature's timestamp may be from the server's clock. */
export const SIGNATURE_MAX_AGE_MS = 10 * 60 * 1000;

/**
 * The address in EIP-55 checksum form, or null when it is not an address. Mixed case must carry a valid
 * checksum; all lower case (or all upper case) is accepted and normalised.
 */
export function normaliseWallet(address: string): string | null {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return null;
  const body = address.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  try {
    return getAddress(mixed ? address : `0x${body.toLowerCase()}`);
  } catch {
    return null;
  }
}

/**
 * The exact text a contributor signs with `personal_sign` (EIP-191) when the model requires proof of ownership:
 * four lines, `\n`-separated, no trailing newline.
 */
export function signatureMessage(modelName: string, datasetHash: string, signedAt: string): string {
  return `DeltaOne contribution\nmodel: ${modelName}\ndataset: ${datasetHash}\ntimestamp: ${signedAt}`;
}

export type SignatureProblem = 'SIGNATURE_INVALID' | 'SIGNATURE_STALE' | null;

/** Checks an EIP-191 signature over `signatureMessage(...)` by `wallet` (checksummed) at `now`. */
export function checkSignature(
  wallet: string,
  signature: string,
  message: string,
  signedAt: string,
  now: number = Date.now(),
): SignatureProblem {
  const at = Date.parse(signedAt);
  if (Number.isNaN(at) || Math.abs(now - at) > SIGNATURE_MAX_AGE_MS) return 'SIGNATURE_STALE';
  try {
    return verifyMessage(message, signature) === wallet ? null : 'SIGNATURE_INVALID';
  } catch {
    return 'SIGNATURE_INVALID';
  }
}

function canonicalValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'null';
    return Object.is(value, -0) ? '0' : JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalValue).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Row;
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalValue(obj[k])}`).join(',')}}`;
  }
  return 'null';
}

/** Canonical JSON: keys sorted at every level, numbers in their shortest form (`1.0` is `1`, `-0` is `0`). */
export function canonicalJson(row: Row): string {
  return canonicalValue(row);
}

/** sha256 (hex) of the row's canonical JSON. */
export function rowHash(row: Row): string {
  return createHash('sha256').update(canonicalJson(row)).digest('hex');
}

/**
 * `sha256:` + sha256 over the distinct row hashes, sorted, each followed by `\n`: the order of the rows does not
 * change it, nor does a row repeated.
 */
export function datasetHash(rowHashes: readonly string[]): string {
  const h = createHash('sha256');
  for (const r of [...new Set(rowHashes)].sort()) h.update(`${r}\n`);
  return `sha256:${h.digest('hex')}`;
}

/** The dataset hash of rows as submitted (what a contributor signs). */
export function datasetHashOfRows(rows: readonly Row[]): string {
  return datasetHash(rows.map(rowHash));
}

/** The columns a contribution's rows must have: the production version's features plus the model's label column. */
export function expectedColumns(
  features: FeatureSpec[],
  labelColumn: string,
  labelKind: LabelKind | null,
): ColumnSpec[] {
  return [
    ...features.map((f) => ({ name: f.name, type: f.type })),
    { name: labelColumn, type: 'label' as const, labelKind },
  ];
}

function typeOk(spec: ColumnSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'label':
      if (spec.labelKind === 'numeric') return typeof value === 'number' && Number.isFinite(value);
      return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
  }
}

/**
 * Splits rows into the acceptable ones (indexes kept) and problems. A feature may be null (a missing value,
 * counted by the quality report's completeness); the label may not.
 */
export function validateRows(
  rows: readonly Row[],
  columns: readonly ColumnSpec[],
): { valid: number[]; problems: RowProblem[] } {
  const valid: number[] = [];
  const problems: RowProblem[] = [];
  const known = new Set(columns.map((c) => c.name));
  rows.forEach((row, i) => {
    let ok = true;
    for (const spec of columns) {
      if (!(spec.name in row)) {
        problems.push({ row: i, column: spec.name, code: 'MISSING_COLUMN' });
        ok = false;
        continue;
      }
      const value = row[spec.name];
      if (value === null) {
        if (spec.type === 'label') {
          problems.push({ row: i, column: spec.name, code: 'MISSING_LABEL' });
          ok = false;
        }
        continue;
      }
      if (!typeOk(spec, value)) {
        problems.push({ row: i, column: spec.name, code: 'WRONG_TYPE' });
        ok = false;
      }
    }
    for (const column of Object.keys(row)) {
      if (!known.has(column)) {
        problems.push({ row: i, column, code: 'UNKNOWN_COLUMN' });
        ok = false;
      }
    }
    if (ok) valid.push(i);
  });
  return { valid, problems };
}

export interface QualityReport {
  rows: number;
  completeness: number;
  duplicateRows: number;
  duplicateRate: number;
  outliers: Record<string, number>;
  outlierRate: number;
  labelCounts: Record<string, number> | null;
  labelBalance: number | null;
  score: number;
  /** How the score is made. */
  formula: string;
}

export const QUALITY_FORMULA =
  'score = 0.5 * completeness + 0.2 * (1 - duplicateRate) + 0.2 * (1 - outlierRate) + 0.1 * labelBalance ' +
  '(labelBalance = 1 for numeric labels); completeness = non-null cells / cells; duplicateRate = repeated rows ' +
  '/ rows; outlierRate = numeric cells with |z| > 3 (within the batch) / numeric cells; labelBalance = entropy ' +
  'of the label counts / log(number of labels), 1 with a single label';

const round = (x: number): number => Math.round(x * 10000) / 10000;

/** The quality report of the acceptable rows (`hashes[i]` is the hash of `rows[i]`). */
export function qualityReport(
  rows: readonly Row[],
  hashes: readonly string[],
  columns: readonly ColumnSpec[],
): QualityReport {
  const n = rows.length;
  let cells = 0;
  let filled = 0;
  for (const row of rows) {
    for (const c of columns) {
      cells++;
      if (row[c.name] !== null && row[c.name] !== undefined) filled++;
    }
  }
  const completeness = cells === 0 ? 0 : filled / cells;
  const duplicateRows = n - new Set(hashes).size;
  const duplicateRate = n === 0 ? 0 : duplicateRows / n;

  const outliers: Record<string, number> = {};
  let numericCells = 0;
  let outlierCells = 0;
  const numeric = columns.filter(
    (c) => c.type === 'float' || c.type === 'int' || (c.type === 'label' && c.labelKind === 'numeric'),
  );
  for (const c of numeric) {
    let count = 0;
    let sum = 0;
    let sumSq = 0;
    for (const row of rows) {
      const v = row[c.name];
      if (typeof v !== 'number') continue;
      count++;
      sum += v;
      sumSq += v * v;
    }
    numericCells += count;
    if (count < 2) {
      outliers[c.name] = 0;
      continue;
    }
    const mean = sum / count;
    const std = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
    let out = 0;
    if (std > 0) {
      for (const row of rows) {
        const v = row[c.name];
        if (typeof v === 'number' && Math.abs((v - mean) / std) > 3) out++;
      }
    }
    outliers[c.name] = out;
    outlierCells += out;
  }
  const outlierRate = numericCells === 0 ? 0 : outlierCells / numericCells;

  const label = columns.find((c) => c.type === 'label');
  let labelCounts: Record<string, number> | null = null;
  let labelBalance: number | null = null;
  if (label && label.labelKind !== 'numeric') {
    labelCounts = {};
    for (const row of rows) {
      const key = String(row[label.name]);
      labelCounts[key] = (labelCounts[key] ?? 0) + 1;
    }
    const counts = Object.values(labelCounts);
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
    duplicateRows,
    duplicateRate: round(duplicateRate),
    outliers,
    outlierRate: round(outlierRate),
    labelCounts,
    labelBalance: labelBalance === null ? null : round(labelBalance),
    score: round(Math.min(1, Math.max(0, score))),
    formula: QUALITY_FORMULA,
  };
}
