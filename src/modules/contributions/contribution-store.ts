import { EntityManager } from 'typeorm';
import { ColumnSpec, isNumeric } from './contribution.rules';
import { addValue, ColumnStats, emptyStats, MIN_REFERENCE_ROWS, OutlierReference, stdOf } from './contribution-quality';
import { StoredChunk } from './contribution-pipeline';

/** The SQL side of a contribution's rows: storing them, counting outliers, the model's column statistics. */

/**
 * Stores a chunk's rows for contribution `contributionId`: a row's first occurrence in the batch is credited
 * unless the model already has it (the partial unique index, ON CONFLICT DO NOTHING, also under concurrent
 * contributions); the others are stored as duplicates. Adds the credited rows' numeric values to `credited`;
 * returns how many were credited.
 */
export async function storeChunk(
  manager: EntityManager,
  ids: { contributionId: string; modelId: string },
  chunk: StoredChunk,
  numeric: readonly ColumnSpec[],
  credited: Record<string, ColumnStats>,
): Promise<number> {
  const first = chunk.first.flatMap((isFirst, i) => (isFirst ? [i] : []));
  // The rows' JSON and hashes go as one text each (split in SQL): no array literal of a chunk is built in memory.
  const insert = (at: number[], asCredited: boolean): Promise<{ rowIndex: number }[]> =>
    manager.query(
      `INSERT INTO contribution_rows ("contributionId", "modelId", "rowIndex", "rowHash", "data", "credited", "duplicate")
       SELECT $1, $2, u.idx, u.hash, u.data::jsonb, $6::boolean, NOT $6::boolean
         FROM unnest($3::int[], string_to_array($4, ','), string_to_array($5, E'\\n')) AS u(idx, hash, data)
       ${asCredited ? 'ON CONFLICT ("modelId", "rowHash") WHERE "credited" DO NOTHING' : ''} RETURNING "rowIndex"`,
      [
        ids.contributionId,
        ids.modelId,
        at.map((i) => chunk.indexes[i]),
        at.map((i) => chunk.hashes[i]).join(','),
        // JSON text has no raw newline (JSON.stringify escapes it).
        at.map((i) => JSON.stringify(chunk.rows[i])).join('\n'),
        asCredited,
      ],
    );
  const inserted = new Set((await insert(first, true)).map((r) => r.rowIndex));
  const rest: number[] = [];
  chunk.indexes.forEach((rowIndex, i) => {
    if (!inserted.has(rowIndex)) {
      rest.push(i);
      return;
    }
    for (const c of numeric) {
      const v = chunk.rows[i][c.name];
      if (typeof v === 'number') addValue((credited[c.name] ??= emptyStats()), v);
    }
  });
  if (rest.length > 0) await insert(rest, false);
  return inserted.size;
}

/** `sha256:` over the distinct hashes of the contribution's stored rows, sorted (as datasetHash computes it). */
export async function storedDatasetHash(manager: EntityManager, contributionId: string): Promise<string> {
  const [{ hash }]: { hash: string }[] = await manager.query(
    `SELECT 'sha256:' || encode(sha256(convert_to(coalesce(string_agg(h || E'\\n', '' ORDER BY h COLLATE "C"), ''), 'UTF8')), 'hex') AS hash
       FROM (SELECT DISTINCT "rowHash"::text AS h FROM contribution_rows WHERE "contributionId" = $1) d`,
    [contributionId],
  );
  return hash;
}

/** Cells of the contribution's stored rows with |value - mean| > 3 std, per column of `reference`. */
export async function countOutliers(
  manager: EntityManager,
  contributionId: string,
  reference: OutlierReference,
): Promise<Record<string, number>> {
  const columns = Object.keys(reference).filter((c) => reference[c].std > 0);
  if (columns.length === 0) return {};
  const found: { column: string; n: number }[] = await manager.query(
    `SELECT u.col AS "column", count(*)::int AS n
       FROM contribution_rows r CROSS JOIN unnest($2::text[], $3::float8[], $4::float8[]) AS u(col, mean, std)
      WHERE r."contributionId" = $1 AND jsonb_typeof(r.data -> u.col) = 'number'
        AND abs((r.data ->> u.col)::float8 - u.mean) > 3 * u.std
      GROUP BY u.col`,
    [contributionId, columns, columns.map((c) => reference[c].mean), columns.map((c) => reference[c].std)],
  );
  return Object.fromEntries(found.map((f) => [f.column, f.n]));
}

/**
 * The model's accepted data as the outlier reference, when each numeric column has at least MIN_REFERENCE_ROWS
 * values there; else null (outliers are measured within the batch).
 */
export async function modelReference(
  manager: EntityManager,
  modelId: string,
  columns: readonly ColumnSpec[],
): Promise<OutlierReference | null> {
  const numeric = columns.filter(isNumeric).map((c) => c.name);
  if (numeric.length === 0) return null;
  const stats: { column: string; count: string; mean: number; m2: number }[] = await manager.query(
    `SELECT "column", "count", mean, m2 FROM contribution_column_stats WHERE "modelId" = $1 AND "column" = ANY($2)`,
    [modelId, numeric],
  );
  const byColumn = new Map(stats.map((s) => [s.column, { count: Number(s.count), mean: s.mean, m2: s.m2 }]));
  if (numeric.some((c) => (byColumn.get(c)?.count ?? 0) < MIN_REFERENCE_ROWS)) return null;
  return Object.fromEntries(numeric.map((c) => [c, { mean: byColumn.get(c)!.mean, std: stdOf(byColumn.get(c)!) }]));
}

/**
 * Merges the credited rows' statistics into the model's, exactly (combined count, mean and M2), in the caller's
 * transaction. One statement per model: concurrent acceptances serialise on the rows.
 */
export async function mergeModelStats(
  manager: EntityManager,
  modelId: string,
  credited: Record<string, ColumnStats>,
): Promise<void> {
  const columns = Object.keys(credited).filter((c) => credited[c].count > 0);
  if (columns.length === 0) return;
  await manager.query(
    `INSERT INTO contribution_column_stats AS s ("modelId", "column", "count", mean, m2, "updatedAt")
     SELECT $1, u.col, u.n, u.mean, u.m2, now() FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::float8[]) AS u(col, n, mean, m2)
     ON CONFLICT ("modelId", "column") DO UPDATE SET
       "count" = s."count" + EXCLUDED."count",
       mean = s.mean + (EXCLUDED.mean - s.mean) * EXCLUDED."count"::float8 / (s."count" + EXCLUDED."count")::float8,
       m2 = s.m2 + EXCLUDED.m2
            + (EXCLUDED.mean - s.mean) ^ 2 * s."count"::float8 * EXCLUDED."count"::float8
              / (s."count" + EXCLUDED."count")::float8,
       "updatedAt" = now()`,
    [
      modelId,
      columns,
      columns.map((c) => credited[c].count),
      columns.map((c) => credited[c].mean),
      columns.map((c) => credited[c].m2),
    ],
  );
}
