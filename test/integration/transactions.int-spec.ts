import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { ContributionsService } from 'src/modules/contributions';
import { RegistryService } from 'src/modules/registry';
import { ApiKeysService, Principal } from 'src/platform/auth';
import { AuditService } from 'src/platform/audit';
import { Propagation, TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { createApiKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, MLP, ModelBody } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';

describe('ambient transactions across modules', () => {
  let t: TestApp;
  let ds: DataSource;
  let txHost: TxHost;
  let admin: Principal;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    txHost = t.app.get(TxHost);
    const [bootstrap] = await ds.query('SELECT id FROM api_keys WHERE bootstrap');
    admin = { keyId: bootstrap.id, owner: 'admin', scopes: ['admin'], isAdmin: true };
  });

  afterAll(async () => {
    await t.close();
  });

  const modelWithVersion = async (): Promise<ModelBody> => {
    const model = await createModel(t);
    await createVersion(t, model.name);
    return model;
  };

  /** What the promotion of `name` and the key `keyName` left behind: rows, events and audit records. */
  const traces = async (name: string, keyName: string) => {
    const count = async (sql: string, params: unknown[]) => Number((await ds.query(sql, params))[0].n);
    return {
      alias: await count(
        `SELECT count(*) AS n FROM model_aliases a JOIN models m ON m.id = a."modelId" WHERE m.name = $1`,
        [name],
      ),
      events: await count(`SELECT count(*) AS n FROM events WHERE type = 'model.promoted' AND "modelName" = $1`, [
        name,
      ]),
      audit: await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'model.promote' AND "targetId" = $1`, [
        name,
      ]),
      key: await count(`SELECT count(*) AS n FROM api_keys WHERE name = $1`, [keyName]),
      keyAudit: await count(
        `SELECT count(*) AS n FROM audit_log l JOIN api_keys k ON k.id::text = l."targetId" WHERE k.name = $1`,
        [keyName],
      ),
    };
  };

  it('should roll back both modules’ writes, events and audit records when a later step fails', async () => {
    const model = await modelWithVersion();
    await expect(
      txHost.withTransaction(async () => {
        await t.app.get(RegistryService).promote(admin, model.name, 1);
        await t.app.get(ApiKeysService).create(admin, { name: `tx-${model.name}`, scopes: ['predict'] });
        throw new Error('a later step failed');
      }),
    ).rejects.toThrow('a later step failed');
    expect(await traces(model.name, `tx-${model.name}`)).toEqual({
      alias: 0,
      events: 0,
      audit: 0,
      key: 0,
      keyAudit: 0,
    });
  });

  it('should commit both modules’ writes with their events and audit records when the transaction succeeds', async () => {
    const model = await modelWithVersion();
    await txHost.withTransaction(async () => {
      await t.app.get(RegistryService).promote(admin, model.name, 1);
      await t.app.get(ApiKeysService).create(admin, { name: `tx-${model.name}`, scopes: ['predict'] });
    });
    expect(await traces(model.name, `tx-${model.name}`)).toEqual({
      alias: 1,
      events: 1,
      audit: 1,
      key: 1,
      keyAudit: 1,
    });
    // Audit records are appended when the transaction commits, after every module's writes: the chain holds.
    const verify = await t.http.get('/api/v1/audit/verify').set(t.admin).expect(200);
    expect(verify.body).toMatchObject({ valid: true, firstBroken: null });
  });

  it('should commit on its own when a service is called outside any transaction', async () => {
    const model = await modelWithVersion();
    await t.app.get(RegistryService).promote(admin, model.name, 1);
    expect(await traces(model.name, 'none')).toEqual({ alias: 1, events: 1, audit: 1, key: 0, keyAudit: 0 });
  });

  it('should append the audit record of a nested transaction when the outer one commits', async () => {
    const id = `nested-${Date.now()}`;
    await txHost.withTransaction(() =>
      txHost.withTransaction(Propagation.Nested, () =>
        t.app.get(AuditService).record({ action: 'test.nested', target: { type: 'test', id } }),
      ),
    );
    expect(await ds.query(`SELECT action FROM audit_log WHERE "targetId" = $1`, [id])).toEqual([
      { action: 'test.nested' },
    ]);
  });

  it('should refuse to publish when no module declares the event type', async () => {
    const events = t.app.get(EventsService);
    await expect(
      txHost.withTransaction(() => events.publish('nobody.declared_this' as never, {} as never)),
    ).rejects.toThrow(/not declared/);
  });

  it('should leave the contributions accepted and the alias unmoved when a training step fails after both calls', async () => {
    const owner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'contributions:write'] });
    const { name } = await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes' });
    await createVersion(t, name, MLP, { features: features16() }, owner.headers);
    await t.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    await createVersion(t, name, MLP, { features: features16() }, owner.headers);
    const rows = Array.from({ length: 10 }, (_, r) => ({
      ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(r * 17 + i)])),
      label: r % 2 ? 'yes' : 'no',
    }));
    const submitted = await t.http
      .post(`/api/v1/models/${name}/contributions`)
      .set(owner.headers)
      .send({ rows, contributor: { walletAddress: Wallet.createRandom().address } })
      .expect(201);
    const id = submitted.body.id as string;
    await expect(
      txHost.withTransaction(async () => {
        await t.app.get(RegistryService).promote(admin, name, 2);
        await t.app.get(ContributionsService).markIncludedInTraining([id], { modelName: name, version: 2 });
        throw new Error('minting failed');
      }),
    ).rejects.toThrow('minting failed');
    const [c] = await ds.query('SELECT status FROM contributions WHERE id = $1', [id]);
    const [alias] = await ds.query(
      `SELECT a.version FROM model_aliases a JOIN models m ON m.id = a."modelId" WHERE m.name = $1`,
      [name],
    );
    const events = await ds.query(
      `SELECT type FROM events WHERE type IN ('model.promoted', 'contribution.included_in_training')
         AND "modelName" = $1 AND (data->>'version')::int = 2`,
      [name],
    );
    const audit = await ds.query(
      `SELECT action FROM audit_log
        WHERE (action = 'contribution.include_in_training' AND "targetId" = $2)
           OR (action = 'model.promote' AND "targetId" = $1 AND changes->'production'->>'to' = '2')`,
      [name, id],
    );
    expect({ status: c.status, production: alias.version, events, audit }).toEqual({
      status: 'accepted',
      production: 1,
      events: [],
      audit: [],
    });
  });
});
