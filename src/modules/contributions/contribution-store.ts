import { EntityManager } from 'typeorm';
import { ColumnSpec, isNumeric } from './contribution.rules';
import { MIN_REFERENCE_ROWS, OutlierReference, stdOf } from './contribution-quality';
import { StoredChunk } from './contribution-pipeline';

/** The SQL side of a contribution's rows: storing them, counting outliers, the model's column statistics. */

/**
 * The chunk as one Buffer of lines `rowIndex \t hash \t first (1|0) \t JSON`, each written as it is made: the
 * database splits it, so no large string or array literal of the chunk is built on the JS heap. JSON text has no
 * raw tab or newline (JSON.stringify escapes them).
 */
function encodeChunk(chunk: StoredChunk): Buffer {
  let out = Buffer.allocUnsafe(1024 * 1024);
  let at = 0;
  chunk.rows.forEach((row, i) => {
    const line = `${chunk.indexes[i]}\t${chunk.hashes[i]}\t${chunk.first[i] ? 1 : 0}\t${JSON.stringify(row)}\n`;
    const size = Buffer.byteLength(line);
    if (at + size > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + size));
      out.copy(bigger, 0, 0, at);
      out = bigger;
    }
    at += out.write(line, at);
  });
  return out.subarray(0, at);
}

/**
 * Stores a chunk's rows for contribution `contributionId` in one statement: a row's first occurrence in the batch
 * is credited unless the model already has it (the partial unique index, ON CONFLICT DO NOTHING, also under
 * concurrent contributions); the others are stored as duplicates. Returns how many were credited.
 */
export async function storeChunk(
  manager: EntityManager,
  ids: { contributionId: string; modelId: string },
  chunk: StoredChunk,
): Promise<number> {
  const [{ credited }]: { credited: number }[] = await manager.query(
    `WITH input AS (
       SELECT split_part(l, E'\\t', 1)::int AS idx, split_part(l, E'\\t', 2) AS hash,
              split_part(l, E'\\t', 3) = '1' AS first, split_part(l, E'\\t', 4)::jsonb AS data
         FROM string_to_table(convert_from($3::bytea, 'UTF8'), E'\\n') AS l WHERE l <> ''
     ), credited AS (
       INSERT INTO contribution_rows ("contributionId", "modelId", "rowIndex", "rowHash", "data", "credited", "duplicate")
       SELECT $1, $2, idx, hash, data, true, false FROM input WHERE first
       ON CONFLICT ("modelId", "rowHash") WHERE "credited" DO NOTHING RETURNING "rowIndex"
     ), duplicates AS (
       INSERT INTO contribution_rows ("contributionId", "modelId", "rowIndex", "rowHash", "data", "credited", "duplicate")
       SELECT $1, $2, idx, hash, data, false, true FROM input WHERE idx NOT IN (SELECT "rowIndex" FROM credited)
     )
     SELECT count(*)::int AS credited FROM credited`,
    [ids.contributionId, ids.modelId, encodeChunk(chunk)],
  );
  return credited;
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
 * Merges the statistics of the contribution's credited rows (count, mean and M2 = n × population variance per
 * numeric column, from SQL aggregates) into the model's, exactly (Chan et al.: combined count, mean and M2), in
 * the caller's transaction. One statement: concurrent acceptances serialise on the rows.
 */
export async function mergeModelStats(
  manager: EntityManager,
  ids: { contributionId: string; modelId: string },
  columns: readonly ColumnSpec[],
): Promise<void> {
  const numeric = columns.filter(isNumeric).map((c) => c.name);
  if (numeric.length === 0) return;
  await manager.query(
    `INSERT INTO contribution_column_stats AS s ("modelId", "column", "count", mean, m2, "updatedAt")
     SELECT $1, u.col, count(x.v), avg(x.v), coalesce(var_pop(x.v), 0) * count(x.v), now()
       FROM unnest($3::text[]) AS u(col)
       JOIN contribution_rows r ON r."contributionId" = $2 AND r.credited
       CROSS JOIN LATERAL (
         SELECT CASE WHEN jsonb_typeof(r.data -> u.col) = 'number' THEN (r.data ->> u.col)::float8 END AS v
       ) x
      GROUP BY u.col HAVING count(x.v) > 0
     ON CONFLICT ("modelId", "column") DO UPDATE SET
       "count" = s."count" + EXCLUDED."count",
       mean = s.mean + (EXCLUDED.mean - s.mean) * EXCLUDED."count"::float8 / (s."count" + EXCLUDED."count")::float8,
       m2 = s.m2 + EXCLUDED.m2
            + (EXCLUDED.mean - s.mean) ^ 2 * s."count"::float8 * EXCLUDED."count"::float8
              / (s."count" + EXCLUDED."count")::float8,
       "updatedAt" = now()`,
    [ids.modelId, ids.contributionId, numeric],
  );
}

/** Locks the contribution for the rest of the caller's transaction; true when its contributor had it erased. */
export async function erasedUnderLock(manager: EntityManager, contributionId: string): Promise<boolean> {
  const rows: { erasedAt: Date | null }[] = await manager.query(
    `SELECT "erasedAt" FROM contributions WHERE id = $1 FOR UPDATE`,
    [contributionId],
  );
  return rows.length === 0 || rows[0].erasedAt !== null;
}
