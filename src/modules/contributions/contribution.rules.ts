import { createHash } from 'node:crypto';
import { getAddress, verifyMessage } from 'ethers';
import { FeatureSpec, LabelKind } from 'src/modules/registry';
import { canonicalJson } from 'src/platform/json';

export type Row = Record<string, unknown>;

/** A column a row gets wrong: the row is left out of the contribution. */
export interface RowProblem {
  row: number;
  column: string;
  code: RowProblemCode;
}

export const ROW_PROBLEM_CODES = [
  'MISSING_COLUMN',
  'UNKNOWN_COLUMN',
  'WRONG_TYPE',
  'NOT_A_NUMBER',
  'MISSING_LABEL',
] as const;
export type RowProblemCode = (typeof ROW_PROBLEM_CODES)[number];

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

/** Canonical JSON (src/platform/json): the one definition, for row hashes as for result-cache keys. */
export { canonicalJson };

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

/** Whether the column holds numbers: float and int features, and a numeric label. */
export function isNumeric(spec: ColumnSpec): boolean {
  return spec.type === 'float' || spec.type === 'int' || (spec.type === 'label' && spec.labelKind === 'numeric');
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+$/;

/**
 * A CSV row (every cell text, empty cells null) typed by the model's schema, as the JSON path expects it: a
 * numeric column's cell that reads as a number becomes one (else it stays text and fails as NOT_A_NUMBER);
 * string features stay strings whatever they hold; a class label that is an integer becomes a number (the JSON
 * path takes classes as strings or integers, and `1` must hash the same from CSV and JSON). Unknown columns are
 * left as they are (the schema check lists them). Types the row in place (it is the parser's) and returns it.
 */
export function typeTextRow(row: Row, columns: readonly ColumnSpec[]): Row {
  const out = row;
  for (const spec of columns) {
    const value = out[spec.name];
    if (typeof value !== 'string') continue;
    if (isNumeric(spec)) {
      if (NUMBER.test(value)) out[spec.name] = Number(value);
    } else if (spec.type === 'label' && INTEGER.test(value) && Number.isSafeInteger(Number(value))) {
      out[spec.name] = Number(value);
    }
  }
  return out;
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
  options: { offset?: number; textCells?: boolean } = {},
): { valid: number[]; problems: RowProblem[] } {
  const offset = options.offset ?? 0;
  const valid: number[] = [];
  const problems: RowProblem[] = [];
  const known = new Set(columns.map((c) => c.name));
  rows.forEach((row, at) => {
    const i = offset + at;
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
        // A CSV cell is text: one a numeric column could not read as a number says so.
        const code = options.textCells && typeof value === 'string' && isNumeric(spec) ? 'NOT_A_NUMBER' : 'WRONG_TYPE';
        problems.push({ row: i, column: spec.name, code });
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
