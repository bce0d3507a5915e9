import { EntityManager } from 'typeorm';

/** Runs an UPDATE or DELETE (optionally with RETURNING) and gives its rows and the number of rows it touched. */
export async function execute<T = Record<string, unknown>>(
  m: EntityManager,
  sql: string,
  params: unknown[],
): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = await m.query<[T[], number]>(sql, params);
  return { rows, count };
}
