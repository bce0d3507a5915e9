import { createReadStream } from 'node:fs';
import { EntityManager } from 'typeorm';
import {
  ColumnSpec,
  MAX_LISTED,
  readRows,
  Row,
  rowHash,
  RowProblem,
  typeTextRow,
  validateRows,
} from 'src/modules/contributions';
import { DatasetFormat } from './dataset-upload';
import { DatasetError } from './datasets.errors';
import { DATASET_CHUNK_ROWS } from './datasets.types';
import { packRow } from './feature-matrix';

/** The SQL side of a dataset's rows: reading a staged file into `dataset_rows`, the dataset hash. */

async function insertRows(
  manager: EntityManager,
  datasetId: string,
  offset: number,
  rows: Row[],
  names: readonly string[],
): Promise<void> {
  await manager.query(
    `INSERT INTO dataset_rows ("datasetId", "rowIndex", "hash", "values", "features")
     SELECT $1, u.i, u.h, u.v, u.f FROM unnest($2::int[], $3::text[], $4::jsonb[], $5::bytea[]) AS u(i, h, v, f)`,
    [
      datasetId,
      rows.map((_, i) => offset + i),
      rows.map(rowHash),
      rows.map((r) => JSON.stringify(r)),
      rows.map((r) => packRow(r, names)),
    ],
  );
}

/**
 * Reads the staged file chunk by chunk with the contributions' parser, types and checks each row with the
 * contributions' rules and inserts it into `dataset_rows` of `datasetId` in the caller's transaction. A dataset is
 * whole or nothing: one bad row (listed by row, column and code, as a contribution's `rowErrors`) refuses it all,
 * and the caller's transaction rolls back what was inserted. Returns the number of rows.
 */
export async function ingestRows(
  manager: EntityManager,
  datasetId: string,
  file: { path: string; format: DatasetFormat },
  columns: readonly ColumnSpec[],
): Promise<number> {
  const textCells = file.format === 'csv';
  const names = columns.map((c) => c.name);
  const problems: RowProblem[] = [];
  let received = 0;
  let badRows = 0;
  const input = createReadStream(file.path);
  try {
    for await (const chunk of readRows(input, file.format, DATASET_CHUNK_ROWS)) {
      const offset = received;
      received += chunk.length;
      const rows = textCells ? chunk.map((r) => typeTextRow(r, columns)) : chunk;
      const checked = validateRows(rows, columns, { offset, textCells });
      problems.push(...checked.problems.slice(0, MAX_LISTED - problems.length));
      badRows += rows.length - checked.valid.length;
      // Once a row is bad nothing will be kept: read on only to list the problems.
      if (badRows === 0) await insertRows(manager, datasetId, offset, rows, names);
    }
  } finally {
    input.destroy();
  }
  if (badRows > 0) {
    throw new DatasetError('INVALID_ROWS', `${badRows} of ${received} rows do not match the model feature schema.`, {
      rowErrors: problems,
    });
  }
  if (received === 0) throw new DatasetError('NO_ROWS', 'The file has no rows.');
  return received;
}

/** `sha256:` over the distinct hashes of the dataset's rows, sorted, each followed by `\n` (contributions' datasetHash). */
export async function storedDatasetHash(manager: EntityManager, datasetId: string): Promise<string> {
  const [{ hash }]: { hash: string }[] = await manager.query(
    `SELECT 'sha256:' || encode(sha256(convert_to(coalesce(string_agg(h || E'\\n', '' ORDER BY h COLLATE "C"), ''), 'UTF8')), 'hex') AS hash
       FROM (SELECT DISTINCT "hash"::text AS h FROM dataset_rows WHERE "datasetId" = $1) d`,
    [datasetId],
  );
  return hash;
}
