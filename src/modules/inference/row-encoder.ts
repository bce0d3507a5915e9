import { RawJson } from 'src/platform/json';
import { readFloatRows } from './float-rows';
import { InferenceError, RowError } from './inference.errors';
import type { FeatureSpec, TensorSpec } from 'src/modules/registry';
import { isNumericType, NumericArray, NumericTensorType, TENSOR_TYPES } from './tensor-types';

export interface Feed {
  data: NumericArray;
  dims: number[];
}

export interface EncodedBatch {
  feeds: Record<string, Feed>;
  rows: number;
}

export interface PredictBody {
  inputs?: unknown;
  instances?: unknown;
}

const MAX_REPORTED_ERRORS = 50;

/** The request body as a predict body: an object with `inputs` or `instances` and nothing else. */
export function toPredictBody(input: unknown): PredictBody {
  const body = (input instanceof RawJson ? input.parse() : input) ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InferenceError('INVALID_INPUT', 'The body must be an object with "inputs" or "instances".');
  }
  const unknown = Object.keys(body).filter((k) => k !== 'inputs' && k !== 'instances');
  if (unknown.length) {
    throw new InferenceError('INVALID_INPUT', `Unknown field(s): ${unknown.join(', ')}; send "inputs" or "instances".`);
  }
  return body;
}

interface Column {
  name: string;
  input: string;
  type: NumericTensorType;
  /** Position of this column inside its input's row. */
  offset: number;
  /** Whole numbers only: the tensor is an integer type or the feature is declared `int`. */
  integer: boolean;
  /** Values per row of this column's input. */
  width: number;
  /** The tensor type has a range narrower than a JS number's safe integers. */
  ranged: boolean;
  min: number;
  max: number;
  bigint: boolean;
}

/** Everything `put` needs to know about a column, so the hot loop does no lookups. */
function column(
  name: string,
  input: string,
  type: NumericTensorType,
  offset: number,
  width: number,
  int: boolean,
): Column {
  const info = TENSOR_TYPES[type];
  return {
    name,
    input,
    type,
    offset,
    width,
    integer: info.integer || int,
    ranged: info.integer,
    min: info.min ?? -Infinity,
    max: info.max ?? Infinity,
    bigint: type === 'int64',
  };
}

/**
 * Turns JSON rows into typed input tensors with one typed loop per row (no per-element decorators), checking
 * every value against the version's signature: missing, extra or mistyped features, wrong row length, NaN or
 * Infinity, integers out of range. Built once per version and reused.
 *
 * Two layouts are supported: one 2-D input `[N, k]` whose k columns are the features in order (the common
 * tabular case), or one input per feature (`[N]` or `[N, 1]`), matched by name.
 */
export class RowEncoder {
  readonly columns: Column[];
  private readonly byName = new Map<string, Column>();
  private readonly inputWidths = new Map<string, { type: NumericTensorType; width: number; rank: number }>();
  /** False when the first dimension is fixed (the model takes exactly that many rows per run). */
  readonly batchable: boolean;
  readonly fixedRows: number | null;
  /** One float input holding every feature: rows can be copied with the fast loop. */
  private readonly plainFloats: boolean;

  constructor(inputs: TensorSpec[], features: FeatureSpec[] | null) {
    if (inputs.length === 0) throw new InferenceError('UNSUPPORTED_MODEL', 'The model has no inputs.');
    for (const input of inputs) {
      if (!isNumericType(input.type)) {
        throw new InferenceError(
          'UNSUPPORTED_MODEL',
          `Input ${input.name} has element type ${input.type}; only numeric inputs can be served.`,
        );
      }
    }
    const first = inputs[0].shape[0];
    this.fixedRows = first !== undefined && first > 0 ? first : null;
    this.batchable = this.fixedRows === null;

    if (inputs.length === 1 && inputs[0].shape.length === 2) {
      const input = inputs[0];
      const width = input.shape[1];
      if (width <= 0) throw new InferenceError('UNSUPPORTED_MODEL', `Input ${input.name} has no fixed row width.`);
      const names = features?.map((f) => f.name) ?? Array.from({ length: width }, (_, i) => `f${i}`);
      if (names.length !== width) {
        throw new InferenceError(
          'UNSUPPORTED_MODEL',
          `The version declares ${names.length} features but input ${input.name} takes ${width} columns.`,
        );
      }
      const type = input.type as NumericTensorType;
      this.columns = names.map((name, offset) =>
        column(name, input.name, type, offset, width, features?.[offset].type === 'int'),
      );
      this.inputWidths.set(input.name, { type: input.type as NumericTensorType, width, rank: 2 });
    } else {
      this.columns = inputs.map((input) => {
        const perRow = input.shape.slice(1).reduce((a, d) => a * d, 1);
        if (input.shape.length > 2 || perRow !== 1) {
          throw new InferenceError(
            'UNSUPPORTED_MODEL',
            `Input ${input.name} has shape [${input.shape.join(', ')}]; with several inputs each must hold one value per row.`,
          );
        }
        this.inputWidths.set(input.name, { type: input.type as NumericTensorType, width: 1, rank: input.shape.length });
        const type = input.type as NumericTensorType;
        const declared = features?.find((f) => f.name === input.name);
        return column(input.name, input.name, type, 0, 1, declared?.type === 'int');
      });
    }
    for (const c of this.columns) this.byName.set(c.name, c);
    this.plainFloats =
      this.inputWidths.size === 1 &&
      this.columns[0].width === this.columns.length &&
      !this.columns.some((c) => c.ranged || c.integer);
  }

  /**
   * The common case read straight from the body's JSON bytes (one float32 matrix sent as `instances`); null when
   * the text is anything else, and the caller then parses it and calls encode.
   */
  encodeText(bytes: Buffer, maxRows: number): EncodedBatch | null {
    const first = this.columns[0];
    if (!this.plainFloats || first.type !== 'float32' || this.fixedRows !== null) return null;
    const read = readFloatRows(bytes, this.columns.length, maxRows);
    if (!read) return null;
    return { feeds: { [first.input]: { data: read.data, dims: [read.rows, first.width] } }, rows: read.rows };
  }

  /** The input's name when rows are one float32 matrix of the features in order, any number of rows a run. */
  get matrixInput(): string | null {
    const first = this.columns[0];
    return this.plainFloats && first.type === 'float32' && this.fixedRows === null ? first.input : null;
  }

  get featureNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  encode(body: PredictBody, maxRows: number): EncodedBatch {
    const hasInputs = body.inputs !== undefined;
    const hasInstances = body.instances !== undefined;
    if (hasInputs === hasInstances) {
      throw invalid(
        'Send the rows either as "inputs" (objects keyed by feature name) or as "instances" (arrays in feature order).',
        [],
      );
    }
    const raw = hasInputs ? body.inputs : body.instances;
    const rows = Array.isArray(raw) ? raw : raw !== null && typeof raw === 'object' ? [raw] : undefined;
    if (!rows || rows.length === 0)
      throw invalid(`"${hasInputs ? 'inputs' : 'instances'}" must be a non-empty list of rows.`, []);
    if (rows.length > maxRows) {
      throw new InferenceError(
        'TOO_MANY_ROWS',
        `${rows.length} rows is more than the ${maxRows} a request may carry.`,
        {
          maxRows,
          rows: rows.length,
        },
      );
    }
    if (this.fixedRows !== null && rows.length % this.fixedRows !== 0) {
      throw invalid(`This model takes exactly ${this.fixedRows} row(s) per run; send a multiple of that.`, []);
    }

    const n = rows.length;
    const feeds: Record<string, Feed> = {};
    for (const [name, { type, width, rank }] of this.inputWidths) {
      feeds[name] = { data: TENSOR_TYPES[type].create(n * width), dims: rank === 2 ? [n, width] : [n] };
    }
    const errors: RowError[] = [];
    const field = hasInputs ? 'inputs' : 'instances';
    const plainFloats = !hasInputs && this.plainFloats ? (feeds[this.columns[0].input].data as Float32Array) : null;
    for (let r = 0; r < n && errors.length < MAX_REPORTED_ERRORS; r++) {
      if (plainFloats) this.encodeFloatRow(rows[r], r, plainFloats, feeds, errors);
      else if (hasInputs) this.encodeRecord(rows[r], r, feeds, errors, field);
      else this.encodeArray(rows[r], r, feeds, errors, field);
    }
    if (errors.length > 0) {
      const first = errors[0];
      throw invalid(`Row ${first.row}${first.feature ? `, feature ${first.feature}` : ''}: ${first.message}`, errors);
    }
    return { feeds, rows: n };
  }

  private encodeRecord(row: unknown, r: number, feeds: Record<string, Feed>, errors: RowError[], field: string): void {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      errors.push({
        row: r,
        field: `${field}[${r}]`,
        code: 'ROW_NOT_OBJECT',
        message: 'each row must be an object keyed by feature name',
      });
      return;
    }
    const record = row as Record<string, unknown>;
    let seen = 0;
    for (const key in record) {
      if (!this.byName.has(key)) {
        errors.push({
          row: r,
          feature: key,
          field: `${field}[${r}].${key}`,
          code: 'UNKNOWN_FEATURE',
          message: `the model has no feature ${key}`,
        });
      } else seen++;
    }
    if (seen === this.columns.length) {
      for (const c of this.columns) this.put(record[c.name], c, r, feeds, errors, field, -1);
      return;
    }
    for (const c of this.columns) {
      if (!(c.name in record)) {
        errors.push({
          row: r,
          feature: c.name,
          field: `${field}[${r}].${c.name}`,
          code: 'MISSING_FEATURE',
          message: `feature ${c.name} is missing`,
        });
      } else this.put(record[c.name], c, r, feeds, errors, field, -1);
    }
  }

  /** The common case (one float matrix, arrays in feature order) in one tight loop; anything odd takes the checked path. */
  private encodeFloatRow(
    row: unknown,
    r: number,
    data: Float32Array,
    feeds: Record<string, Feed>,
    errors: RowError[],
  ): void {
    const k = this.columns.length;
    if (!Array.isArray(row) || row.length !== k) {
      this.encodeArray(row, r, feeds, errors, 'instances');
      return;
    }
    const base = r * k;
    for (let j = 0; j < k; j++) {
      const v: unknown = row[j];
      if (typeof v === 'number') data[base + j] = v;
      // Also refuses a finite number the tensor's type turns into Infinity (1e39 in float32).
      if (data[base + j] - data[base + j] !== 0 || typeof v !== 'number') {
        errors.push(valueError(v, this.columns[j], r, `instances[${r}][${j}]`));
      }
    }
  }

  private encodeArray(row: unknown, r: number, feeds: Record<string, Feed>, errors: RowError[], field: string): void {
    if (!Array.isArray(row)) {
      errors.push({
        row: r,
        field: `${field}[${r}]`,
        code: 'ROW_NOT_ARRAY',
        message: `each row must be an array of ${this.columns.length} values`,
      });
      return;
    }
    if (row.length !== this.columns.length) {
      errors.push({
        row: r,
        field: `${field}[${r}]`,
        code: 'WRONG_ROW_LENGTH',
        message: `the row has ${row.length} values; the model takes ${this.columns.length}`,
      });
      return;
    }
    for (let j = 0; j < this.columns.length; j++) {
      this.put(row[j], this.columns[j], r, feeds, errors, field, j);
    }
  }

  /** The hot loop: a valid value costs a type check and a store; messages and paths are built only for errors. */
  private put(
    value: unknown,
    c: Column,
    r: number,
    feeds: Record<string, Feed>,
    errors: RowError[],
    field: string,
    index: number,
  ): void {
    if (typeof value === 'number' && value - value === 0 && (!c.integer || Number.isInteger(value))) {
      if (!c.ranged || (value >= c.min && value <= c.max)) {
        const data = feeds[c.input].data;
        const at = r * c.width + c.offset;
        if (c.bigint) {
          (data as BigInt64Array)[at] = BigInt(value);
          return;
        }
        (data as Float32Array)[at] = value;
        if ((data as Float32Array)[at] - (data as Float32Array)[at] === 0) return;
      }
    }
    errors.push(valueError(value, c, r, index < 0 ? `${field}[${r}].${c.name}` : `${field}[${r}][${index}]`));
  }
}

function valueError(value: unknown, c: Column, r: number, path: string): RowError {
  const error = (code: string, message: string): RowError => ({ row: r, feature: c.name, field: path, code, message });
  if (typeof value !== 'number') {
    return error('NOT_A_NUMBER', `feature ${c.name} must be a number, got ${value === null ? 'null' : typeof value}`);
  }
  if (!Number.isFinite(value)) return error('NOT_FINITE', `feature ${c.name} must be finite, got ${value}`);
  if (c.integer && !Number.isInteger(value)) {
    return error('NOT_AN_INTEGER', `feature ${c.name} must be a whole number, got ${value}`);
  }
  if (!c.ranged) return error('OUT_OF_RANGE', `feature ${c.name} is past the range of ${c.type}, got ${value}`);
  return error('OUT_OF_RANGE', `feature ${c.name} must be in [${c.min}, ${c.max}], got ${value}`);
}

function invalid(detail: string, errors: RowError[]): InferenceError {
  return new InferenceError('INVALID_INPUT', detail, { errors });
}
