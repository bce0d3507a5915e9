import { EntityManager } from 'typeorm';
import type { Row } from 'src/modules/contributions';
import { FeatureChunk } from './datasets.types';

/**
 * A typed row's cells in the dataset's column order (`datasets.columns`) as little-endian float64, NaN where a
 * cell is not a number. The numbers are the
 * ones the row's jsonb gives back (JSON round-trips a double exactly), except -0, which JSON writes as 0.
 */
export function packRow(row: Row, names: readonly string[]): Buffer {
  const out = new Float64Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = row[names[i]];
    out[i] = typeof v !== 'number' ? NaN : v === 0 ? 0 : v;
  }
  return Buffer.from(out.buffer);
}

/**
 * One chunk of a dataset's rows as a float64 matrix in the caller's feature order, from the rows' packed
 * `features` (PostgreSQL joins them into one bytea: no row object, no JSON of the features reaches node), with
 * each row's label. A numeric label is read from the packed cells too (the jsonb's number, as packRow stored it);
 * only when some row's label is not a number there (a class name, a boolean, a missing label) is the chunk read
 * again with the labels from the jsonb, which costs decompressing every row's `values`. `complete: false` when a
 * row has no packed features (stored before they existed), lacks the label, or a requested feature is not a
 * number in some row; the caller then takes the row objects, whose checks say what is wrong.
 */
export async function readFeatureChunk(
  manager: EntityManager,
  datasetId: string,
  /** The dataset's columns: what each row's packed `features` hold, in order. */
  layout: readonly string[],
  features: readonly string[],
  labelColumn: string,
  after: number,
  limit: number,
): Promise<FeatureChunk | null> {
  const labelAt = layout.indexOf(labelColumn);
  const packedOnly = labelAt >= 0 ? await readPacked(manager, datasetId, labelColumn, after, limit, false) : null;
  const fromPacked = packedOnly && unpack(packedOnly, layout, features, labelAt);
  if (fromPacked) return fromPacked;
  const found = await readPacked(manager, datasetId, labelColumn, after, limit, true);
  return found && unpack(found, layout, features, -1);
}

interface Packed {
  rows: number;
  packed: number;
  last: number | null;
  bytes: Buffer | null;
  labels?: unknown[] | null;
  labelled?: boolean | null;
}

async function readPacked(
  manager: EntityManager,
  datasetId: string,
  labelColumn: string,
  after: number,
  limit: number,
  withLabels: boolean,
): Promise<Packed | null> {
  const labels = withLabels
    ? `, jsonb_agg("values" -> $4 ORDER BY "rowIndex") AS labels, bool_and("values" ? $4) AS labelled`
    : '';
  const [found]: Packed[] = await manager.query(
    `SELECT count(*)::int AS rows, count("features")::int AS packed, max("rowIndex") AS last,
            string_agg("features", ''::bytea ORDER BY "rowIndex") AS bytes${labels}
       FROM (SELECT "rowIndex", ${withLabels ? '"values", ' : ''}"features" FROM dataset_rows
              WHERE "datasetId" = $1 AND "rowIndex" > $2 ORDER BY "rowIndex" LIMIT $3) c`,
    withLabels ? [datasetId, after, limit, labelColumn] : [datasetId, after, limit],
  );
  return found && found.rows > 0 ? found : null;
}

/**
 * The chunk from what PostgreSQL sent; with `labelAt` (the label's packed cell), null when a row's label is not a
 * number there, for the caller to read the labels from the jsonb.
 */
function unpack(
  found: Packed,
  layout: readonly string[],
  features: readonly string[],
  labelAt: number,
): FeatureChunk | null {
  const rows = found.rows;
  const width = layout.length;
  const at = features.map((f) => layout.indexOf(f));
  const bytes = found.bytes;
  const complete =
    found.packed === rows &&
    (labelAt >= 0 || found.labelled === true) &&
    bytes !== null &&
    bytes.byteLength === rows * width * 8 &&
    !at.includes(-1);
  if (!complete) {
    if (labelAt >= 0) return null;
    return { rows, last: Number(found.last), complete, data: new Float64Array(0), labels: [] };
  }
  // The bytea's buffer may be unaligned for a Float64Array view: copy it once into an aligned one.
  const packed = new Float64Array(rows * width);
  new Uint8Array(packed.buffer).set(bytes);
  let labels: unknown[] = found.labels ?? [];
  if (labelAt >= 0) {
    labels = new Array<number>(rows);
    for (let r = 0; r < rows; r++) {
      const label = packed[r * width + labelAt];
      if (Number.isNaN(label)) return null;
      labels[r] = label;
    }
  }
  const k = features.length;
  const data = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) data[r * k + j] = packed[r * width + at[j]];
  }
  return { rows, last: Number(found.last), complete: true, data, labels };
}
