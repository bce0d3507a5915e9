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
 * each row's label from its jsonb. `complete: false` when a row has no packed features (stored before they
 * existed), lacks the label, or a requested feature is not a number in some row; the caller then takes the row
 * objects, whose checks say what is wrong.
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
  const [found]: {
    rows: number;
    packed: number;
    last: number | null;
    bytes: Buffer | null;
    labels: unknown[] | null;
    labelled: boolean | null;
  }[] = await manager.query(
    `SELECT count(*)::int AS rows, count("features")::int AS packed, max("rowIndex") AS last,
            string_agg("features", ''::bytea ORDER BY "rowIndex") AS bytes,
            jsonb_agg("values" -> $4 ORDER BY "rowIndex") AS labels,
            bool_and("values" ? $4) AS labelled
       FROM (SELECT "rowIndex", "values", "features" FROM dataset_rows
              WHERE "datasetId" = $1 AND "rowIndex" > $2 ORDER BY "rowIndex" LIMIT $3) c`,
    [datasetId, after, limit, labelColumn],
  );
  if (!found || found.rows === 0) return null;
  const rows = found.rows;
  const width = layout.length;
  const at = features.map((f) => layout.indexOf(f));
  const bytes = found.bytes;
  const complete =
    found.packed === rows &&
    found.labelled === true &&
    bytes !== null &&
    bytes.byteLength === rows * width * 8 &&
    !at.includes(-1);
  if (!complete) return { rows, last: Number(found.last), complete, data: new Float64Array(0), labels: [] };
  // The bytea's buffer may be unaligned for a Float64Array view: copy it once into an aligned one.
  const packed = new Float64Array(rows * width);
  new Uint8Array(packed.buffer).set(bytes);
  const k = features.length;
  const data = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) data[r * k + j] = packed[r * width + at[j]];
  }
  return { rows, last: Number(found.last), complete: true, data, labels: found.labels ?? [] };
}
