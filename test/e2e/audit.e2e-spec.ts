import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { ContributionsService } from 'src/modules/contributions';
import { TxHost } from 'src/platform/database';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { WebhookReceiver } from '../support/webhook-receiver';
import { FAST_WEBHOOKS } from '../support/webhooks';

interface AuditItem {
  seq: string;
  time: string;
  actor: { keyId: string | null; keyPrefix: string | null; owner: string | null };
  action: string;
  target: { type: string; id: string; owner: string | null };
  requestId: string | null;
  clientIp: string | null;
  outcome: string;
  changes: Record<string, { from?: unknown; to?: unknown }> | null;
}

const rows = (n: number, seed: number) =>
  Array.from({ length: n }, (_, r) => ({
    ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed * 1000 + r * 17 + i)])),
    label: r % 2 ? 'yes' : 'no',
  }));

describe('audit log', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let alice: CreatedKey;
  let bob: CreatedKey;

  const audit = async (query: Record<string, string> = {}, headers = t.admin): Promise<AuditItem[]> => {
    const res = await t.http
      .get('/api/v1/audit')
      .query({ limit: '100', ...query })
      .set(headers)
      .expect(200);
    return res.body.items as AuditItem[];
  };
  const actionsFor = async (targetId: string): Promise<string[]> =>
    (await audit({ targetId })).map((r) => r.action).reverse();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await createTestApp({ env: FAST_WEBHOOKS });
    alice = await createApiKey(t, {
      owner: 'alice',
      scopes: ['models:read', 'models:write', 'contributions:write', 'webhooks:admin', 'audit:read', 'keys:manage'],
    });
    bob = await createApiKey(t, { owner: 'bob', scopes: ['models:read', 'models:write', 'audit:read'] });
  });

  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('should record who, from where, under which request and what changed when an API key is created and revoked', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(alice.headers)
      .set('x-request-id', 'audit-req-create')
      .send({ name: 'ci', scopes: ['models:read'] })
      .expect(201);
    await t.http
      .delete(`/api/v1/api-keys/${created.body.id}`)
      .set(alice.headers)
      .set('x-request-id', 'audit-req-revoke')
      .expect(204);

    const [revoke, create] = await audit({ targetId: created.body.id });
    expect(create).toMatchObject({
      action: 'api_key.create',
      actor: { keyId: alice.id, keyPrefix: alice.key.slice(0, 12), owner: 'alice' },
      target: { type: 'api_key', id: created.body.id, owner: 'alice' },
      requestId: 'audit-req-create',
      clientIp: '127.0.0.1',
      outcome: 'success',
      changes: { name: { to: 'ci' }, scopes: { to: ['models:read'] }, prefix: { to: created.body.prefix } },
    });
    expect(revoke).toMatchObject({ action: 'api_key.revoke', requestId: 'audit-req-revoke' });
    expect(revoke.changes?.revokedAt).toMatchObject({ from: null });
    expect(JSON.stringify([create, revoke])).not.toContain(created.body.key);
    expect(Date.parse(create.time)).toBeLessThanOrEqual(Date.parse(revoke.time));
  });

  it('should record each registry write with the fields that changed when a model goes through its life', async () => {
    const model = await createModel(t, alice.headers, { labelColumn: 'label', labelKind: 'classes' });
    await t.http
      .patch(`/api/v1/models/${model.name}`)
      .set(alice.headers)
      .send({ description: 'v2', tags: ['a'] });
    await createVersion(t, model.name, MLP, { features: features16() }, alice.headers);
    await createVersion(t, model.name, MLP, { features: features16() }, alice.headers);
    await t.http.patch(`/api/v1/models/${model.name}/versions/2`).set(alice.headers).send({ description: 'better' });
    await t.http.put(`/api/v1/models/${model.name}/aliases/champion`).set(alice.headers).send({ version: 2 });
    await t.http.delete(`/api/v1/models/${model.name}/aliases/champion`).set(alice.headers).expect(204);
    await t.http.post(`/api/v1/models/${model.name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    await t.http.post(`/api/v1/models/${model.name}/promote`).set(alice.headers).send({ version: 2 }).expect(200);
    await t.http.post(`/api/v1/models/${model.name}/rollback`).set(alice.headers).expect(200);
    await t.http.delete(`/api/v1/models/${model.name}`).query({ force: 'true' }).set(t.admin).expect(204);

    expect(await actionsFor(model.name)).toEqual([
      'model.create',
      'model.update',
      'model.alias.set',
      'model.alias.delete',
      'model.promote',
      'model.promote',
      'model.rollback',
      'model.archive',
    ]);
    const byAction = new Map((await audit({ targetId: model.name })).map((r) => [r.action, r]));
    expect(byAction.get('model.create')!.changes).toMatchObject({ tokenId: { to: model.tokenId } });
    expect(byAction.get('model.update')!.changes).toEqual({
      description: { from: '', to: 'v2' },
      tags: { from: [], to: ['a'] },
    });
    expect(byAction.get('model.rollback')!.changes).toEqual({ production: { from: 2, to: 1 } });
    expect(byAction.get('model.archive')).toMatchObject({
      actor: { owner: 'admin' },
      target: { owner: 'alice' },
      changes: { status: { from: 'active', to: 'archived' } },
    });
    expect((await audit({ targetType: 'model_version', targetId: `${model.name}/2` })).map((r) => r.action)).toEqual([
      'model_version.update',
      'model_version.create',
    ]);
    const [update] = await audit({ action: 'model_version.update', targetId: `${model.name}/2` });
    expect(update.changes).toEqual({ description: { from: '', to: 'better' } });
  });

  it('should record settings, contributions and their lifecycle without rows or wallets when contributions flow', async () => {
    const model = await createModel(t, alice.headers, { labelColumn: 'label', labelKind: 'classes' });
    await createVersion(t, model.name, MLP, { features: features16() }, alice.headers);
    await t.http.post(`/api/v1/models/${model.name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    await t.http
      .put(`/api/v1/models/${model.name}/contribution-settings`)
      .set(alice.headers)
      .send({ minQuality: 0.5 })
      .expect(200);
    const wallet = Wallet.createRandom().address;
    const accepted = await t.http
      .post(`/api/v1/models/${model.name}/contributions`)
      .set(alice.headers)
      .send({ rows: rows(20, 1), contributor: { walletAddress: wallet } })
      .expect(201);
    await t.http
      .post(`/api/v1/models/${model.name}/contributions`)
      .set(alice.headers)
      .send({ rows: [{ nope: 1 }], contributor: { walletAddress: wallet } })
      .expect(422);
    await t.app
      .get(TxHost)
      .withTransaction(() =>
        t.app
          .get(ContributionsService)
          .markIncludedInTraining([accepted.body.id], { modelName: model.name, version: 1 }),
      );

    const [settings] = await audit({ action: 'contribution_settings.update', targetId: model.name });
    expect(settings.changes).toEqual({ minQuality: { from: 0.8, to: 0.5 } });
    expect(await actionsFor(accepted.body.id)).toEqual([
      'contribution.create',
      'contribution.accept',
      'contribution.include_in_training',
    ]);
    const [included, accept, create] = await audit({ targetId: accepted.body.id });
    expect(create.changes).toEqual({ model: { to: model.name }, status: { to: 'received' }, receivedRows: { to: 20 } });
    expect(accept.changes).toMatchObject({ status: { from: 'validating', to: 'accepted' }, acceptedRows: { to: 20 } });
    expect(included).toMatchObject({ actor: { owner: null, keyId: null }, requestId: null });
    const rejected = (await audit({ action: 'contribution.reject' })).find((r) => r.target.owner === 'alice');
    expect(rejected?.changes).toMatchObject({ rejectionCode: { to: 'NO_ACCEPTABLE_ROWS' } });
    const all = JSON.stringify(await audit({ targetType: 'contribution' }));
    expect(all).not.toContain(wallet.toLowerCase().slice(2));
    expect(all).not.toContain(String(Math.sin(1000)));
  });

  it('should record webhook endpoint writes without secrets or URL queries when endpoints are managed', async () => {
    receiver.respond = () => ({ status: 500, body: 'down' });
    const url = `${receiver.url('/hook')}?token=sekrit`;
    const created = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(alice.headers)
      .send({ url, eventTypes: ['model.*'] })
      .expect(201);
    const id = created.body.id as string;
    await t.http.patch(`/api/v1/webhooks/endpoints/${id}`).set(alice.headers).send({ description: 'ops' }).expect(200);
    const rotated = await t.http.post(`/api/v1/webhooks/endpoints/${id}/rotate-secret`).set(alice.headers).expect(200);
    const test = await t.http.post(`/api/v1/webhooks/endpoints/${id}/test`).set(alice.headers).expect(202);
    const deliveryId = test.body.deliveryId as string;
    const failed = async () =>
      (await t.http.get(`/api/v1/webhooks/deliveries/${deliveryId}`).set(alice.headers)).body.status === 'failed';
    await waitFor(failed, 'the test delivery to fail');
    await t.http.post(`/api/v1/webhooks/deliveries/${deliveryId}/replay`).set(alice.headers).expect(202);
    await waitFor(failed, 'the replayed delivery to fail');
    await t.http
      .post(`/api/v1/webhooks/endpoints/${id}/recover`)
      .set(alice.headers)
      .send({ since: new Date(Date.now() - 60_000).toISOString() })
      .expect(202);
    await waitFor(failed, 'the recovered delivery to fail');
    await t.http.delete(`/api/v1/webhooks/endpoints/${id}`).set(alice.headers).expect(204);

    expect(await actionsFor(id)).toEqual([
      'webhook_endpoint.create',
      'webhook_endpoint.update',
      'webhook_endpoint.rotate_secret',
      'webhook_endpoint.test',
      'webhook_endpoint.recover',
      'webhook_endpoint.delete',
    ]);
    expect(await actionsFor(deliveryId)).toEqual(['webhook_delivery.replay']);
    const records = await audit({ targetType: 'webhook_endpoint', targetId: id });
    const text = JSON.stringify(records);
    for (const secret of [created.body.secret, rotated.body.secret, 'sekrit']) expect(text).not.toContain(secret);
    expect(records.find((r) => r.action === 'webhook_endpoint.create')!.changes!.url).toEqual({
      to: `${receiver.url('/hook')}?…`,
    });
    expect(records.find((r) => r.action === 'webhook_endpoint.recover')!.changes!.requeued).toEqual({ to: 1 });
  });

  it('should leave no record when the change fails and roll the change back when the append fails', async () => {
    const ds = t.app.get(DataSource);
    const count = async (): Promise<number> => Number((await ds.query('SELECT count(*) FROM audit_log'))[0].count);
    const before = await count();
    const model = await createModel(t, alice.headers);
    await t.http.post(`/api/v1/models/${model.name}/promote`).set(alice.headers).send({ version: 9 }).expect(404);
    await t.http.patch(`/api/v1/models/${model.name}`).set(bob.headers).send({ description: 'x' }).expect(403);
    expect(await count()).toBe(before + 1);

    // The append itself fails (a trigger refuses this one action): the model must not exist, nor its event.
    await ds.query(`CREATE TRIGGER refuse_model_create BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.action = 'model.create') EXECUTE FUNCTION audit_log_refuse_change()`);
    try {
      const res = await t.http
        .post('/api/v1/models')
        .set(alice.headers)
        .send({ name: 'never-there', tokenId: 'NEVER-THERE', benchmarkMetric: 'accuracy' });
      expect(res.status).toBe(500);
    } finally {
      await ds.query('DROP TRIGGER refuse_model_create ON audit_log');
    }
    expect(await ds.query(`SELECT 1 FROM models WHERE name = 'never-there'`)).toEqual([]);
    expect(await ds.query(`SELECT 1 FROM events WHERE "modelName" = 'never-there'`)).toEqual([]);
    expect(await count()).toBe(before + 1);
  });

  describe('GET /api/v1/audit', () => {
    it('should filter by actor, action, target and time and page with a cursor when asked', async () => {
      const start = new Date();
      const models = [];
      for (let i = 0; i < 5; i++) models.push(await createModel(t, bob.headers, { tags: ['paging'] }));
      const end = new Date(Date.now() + 1);

      const byBob = await audit({ actor: 'bob', action: 'model.create', since: start.toISOString() });
      expect(byBob.map((r) => r.target.id)).toEqual(models.map((m) => m.name).reverse());
      expect(await audit({ actor: bob.key.slice(0, 12), action: 'model.create' })).toHaveLength(5);
      expect(await audit({ actor: bob.id, targetType: 'model', targetId: models[0].name })).toHaveLength(1);
      expect(await audit({ actor: 'bob', until: start.toISOString() })).toEqual([]);
      expect(await audit({ actor: 'bob', since: end.toISOString() })).toEqual([]);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await t.http
          .get('/api/v1/audit')
          .query({ actor: 'bob', action: 'model.create', limit: '2', ...(cursor ? { cursor } : {}) })
          .set(t.admin)
          .expect(200);
        seen.push(...res.body.items.map((r: AuditItem) => r.target.id));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(models.map((m) => m.name).reverse());
    });

    it('should answer 400 when a filter or the cursor is malformed', async () => {
      for (const query of [
        { cursor: 'bm90LWEtY3Vyc29y' },
        { since: 'yesterday' },
        { action: 'DROP TABLE' },
        { limit: '1000' },
        { targetType: 'Model' },
      ]) {
        const res = await t.http.get('/api/v1/audit').query(query).set(t.admin);
        expect([res.status, res.headers['content-type']]).toEqual([400, 'application/problem+json; charset=utf-8']);
      }
    });

    it('should show an owner only what it did and what was done to its objects when it holds audit:read', async () => {
      const mine = await createModel(t, bob.headers);
      await t.http.patch(`/api/v1/models/${mine.name}`).set(t.admin).send({ description: 'by admin' }).expect(200);
      const items = await audit({}, bob.headers);
      expect(items.length).toBeGreaterThan(0);
      for (const r of items) expect(r.actor.owner === 'bob' || r.target.owner === 'bob').toBe(true);
      expect(items.find((r) => r.action === 'model.update' && r.target.id === mine.name)?.actor.owner).toBe('admin');
      expect(await audit({ actor: 'alice' }, bob.headers)).toEqual([]);

      const noScope = await createApiKey(t, { owner: 'bob', scopes: ['models:read'] });
      await t.http.get('/api/v1/audit').set(noScope.headers).expect(403);
      await t.http.get('/api/v1/audit/verify').set(bob.headers).expect(403);
    });
  });

  it('should verify the chain as intact when every record is as written', async () => {
    const res = await t.http.get('/api/v1/audit/verify').set(t.admin).expect(200);
    const [last] = await audit({ limit: '1' });
    expect(res.body).toEqual({
      valid: true,
      checked: Number(last.seq),
      lastSeq: last.seq,
      lastHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      firstBroken: null,
    });
  });

  it('should count refused requests in /metrics by status and code when keys are missing, wrong or short of scope', async () => {
    const counted = async (status: number, reason: string): Promise<number> => {
      const text = (await t.http.get('/metrics').expect(200)).text;
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`auth_failures_total{status="${status}",reason="${reason}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = [
      await counted(401, 'API_KEY_MISSING'),
      await counted(401, 'API_KEY_INVALID'),
      await counted(403, 'INSUFFICIENT_SCOPE'),
    ];
    await t.http.get('/api/v1/audit').expect(401);
    await t.http.get('/api/v1/audit').set('authorization', 'Bearer dok_made-up').expect(401);
    await t.http.get('/api/v1/audit').set('authorization', 'Bearer dok_made-up-too').expect(401);
    await t.http.post('/api/v1/webhooks/endpoints').set(bob.headers).send({}).expect(403);
    expect([
      await counted(401, 'API_KEY_MISSING'),
      await counted(401, 'API_KEY_INVALID'),
      await counted(403, 'INSUFFICIENT_SCOPE'),
    ]).toEqual([before[0] + 1, before[1] + 2, before[2] + 1]);
  });
});
