import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ENTITIES } from 'src/entities';
import { dataSourceOptions } from 'src/platform/database';
import { createTestDatabase } from '../support/test-database';

/** The PredictionBatches migration moves a per-row prediction log into batches, and back when reverted. */
describe('migration: prediction log batches', () => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  const experimentId = randomUUID();
  const at = new Date('2026-11-30T10:00:00.250Z');

  const rows = [
    { requestId: 'r-1', variant: 'control', version: 1, unit: 'u1', random: false, latencyMs: 1.5, outcome: 1 },
    { requestId: 'r-2', variant: 'treatment', version: 2, unit: 'u2', random: false, latencyMs: 2.25, outcome: null },
    { requestId: 'r-3', variant: 'control', version: 1, unit: null, random: true, latencyMs: 3, outcome: 0 },
  ];

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    ds = await new DataSource(dataSourceOptions(db.url, ENTITIES)).initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.undoLastMigration({ transaction: 'each' });
    for (const r of rows) {
      await ds.query(
        `INSERT INTO experiment_predictions ("requestId", "experimentId", variant, version, "servedVersion", unit,
           random, "callerOwner", "createdAt", "latencyMs", error, outcome, "outcomeAt")
         VALUES ($1, $2, $3, $4, $4, $5, $6, 'alice', $7::timestamptz, $8, NULL, $9::float8,
                 CASE WHEN $9::float8 IS NULL THEN NULL ELSE $7::timestamptz END)`,
        [r.requestId, experimentId, r.variant, r.version, r.unit, r.random, at, r.latencyMs, r.outcome],
      );
    }
    await ds.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  const logged = () =>
    ds.query(
      `SELECT "requestId", variant, version, unit, random, "latencyMs", outcome, "createdAt"
         FROM experiment_predictions WHERE "experimentId" = $1 ORDER BY "requestId"`,
      [experimentId],
    );

  it('should show every old entry with its outcome through the view when the log has moved into batches', async () => {
    expect(await logged()).toEqual(rows.map((r) => ({ ...r, createdAt: at })));
    const [{ batches }] = await ds.query(
      `SELECT count(*)::int AS batches FROM experiment_prediction_batches WHERE "experimentId" = $1`,
      [experimentId],
    );
    expect(batches).toBe(1);
  });

  it('should keep the old request ids so that none is logged twice when the migration has run', async () => {
    const kept = await ds.query(`SELECT "requestId" FROM experiment_client_request_ids ORDER BY "requestId"`);
    expect(kept.map((k: { requestId: string }) => k.requestId)).toEqual(['r-1', 'r-2', 'r-3']);
  });

  it('should index request ids without a pending list when the migration has run', async () => {
    const [index] = await ds.query(
      `SELECT reloptions FROM pg_class WHERE relname = 'idx_experiment_prediction_batches_request_ids'`,
    );
    expect(index.reloptions).toEqual(['fastupdate=off']);
  });

  it('should keep no statistics for the entry arrays when the migration has run', async () => {
    const columns: { attname: string }[] = await ds.query(
      `SELECT attname FROM pg_attribute
        WHERE attrelid = 'experiment_prediction_batches'::regclass AND attnum > 0 AND coalesce(attstattarget, -1) <> 0
        ORDER BY attname`,
    );
    expect(columns.map((c) => c.attname)).toEqual(['createdAt', 'experimentId', 'id', 'size']);
  });

  it('should bring the entries back as rows when the migration is reverted', async () => {
    await ds.undoLastMigration({ transaction: 'each' });
    expect(await logged()).toEqual(rows.map((r) => ({ ...r, createdAt: at })));
    await ds.runMigrations({ transaction: 'each' });
  });
});
