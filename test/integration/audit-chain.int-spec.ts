import { DataSource } from 'typeorm';
import { AuditService, chainHash } from 'src/platform/audit';
import { TxHost } from 'src/platform/database';
import { createApiKey } from '../factories/api-key.factory';
import { createModel } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';

describe('audit log chain (append-only, tamper-evident, linear under concurrency)', () => {
  let t: TestApp;
  let replica: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    replica = await createTestApp({ databaseUrl: t.databaseUrl });
    ds = t.app.get(DataSource);
  });

  afterAll(async () => {
    await replica.app.close();
    await t.close();
  });

  const verify = async () => (await t.http.get('/api/v1/audit/verify').set(t.admin).expect(200)).body;

  /** A superuser edit with the append-only triggers off, as someone tampering with the database would do. */
  const tamper = async (sql: string): Promise<void> => {
    await ds.transaction(async (m) => {
      await m.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await m.query(sql);
      await m.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    });
  };

  it('should keep one gap-free chain when two replicas write concurrently', async () => {
    const owner = await createApiKey(t, { owner: 'racer', scopes: ['models:read', 'models:write'] });
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => createModel(i % 2 ? replica : t, owner.headers, { tags: ['race'] })),
    );
    const seqs: { seq: string }[] = await ds.query('SELECT seq FROM audit_log ORDER BY seq');
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(Number((await ds.query(`SELECT count(*) FROM audit_log WHERE action = 'model.create'`))[0].count)).toBe(24);
    expect(await verify()).toMatchObject({ valid: true, checked: seqs.length, firstBroken: null });
  });

  it('should refuse UPDATE, DELETE and TRUNCATE when the append-only triggers are on', async () => {
    await expect(ds.query(`UPDATE audit_log SET outcome = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(ds.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('should refuse to append outside a transaction or with an action that is not object.verb', async () => {
    const audit = t.app.get(AuditService);
    const entry = { action: 'model.create', target: { type: 'model', id: 'x' } };
    const txHost = t.app.get(TxHost);
    await expect(audit.record(entry)).rejects.toThrow(/inside the transaction/);
    await expect(txHost.withTransaction(() => audit.record({ ...entry, action: 'Create' }))).rejects.toThrow(
      /object\.verb/,
    );
  });

  it('should name the changed record when a record was edited behind the triggers', async () => {
    await tamper(`UPDATE audit_log SET "targetId" = 'someone-else' WHERE seq = 3`);
    expect(await verify()).toMatchObject({
      valid: false,
      checked: 2,
      lastSeq: '2',
      firstBroken: { seq: '3', reason: 'HASH_MISMATCH' },
    });
  });

  it('should name the next record when an edited record was given a fresh hash', async () => {
    // The forger recomputes record 3's own hash; record 4 still points at the old one.
    const [r3] = await ds.query('SELECT * FROM audit_log WHERE seq = 3');
    const forged = chainHash(r3.prevHash, { ...r3, changes: r3.changes });
    await tamper(`UPDATE audit_log SET hash = '${forged}' WHERE seq = 3`);
    expect((await verify()).firstBroken).toMatchObject({ seq: '4', reason: 'PREVIOUS_HASH_MISMATCH' });
  });

  it('should name the record after a gap when records were deleted behind the triggers', async () => {
    await tamper('DELETE FROM audit_log WHERE seq IN (1, 2, 3)');
    expect(await verify()).toMatchObject({
      valid: false,
      checked: 0,
      firstBroken: { seq: '4', reason: 'SEQUENCE_GAP' },
    });
  });
});
