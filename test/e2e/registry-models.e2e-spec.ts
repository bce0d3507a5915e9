import { DataSource } from 'typeorm';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

describe('registry: models', () => {
  let t: TestApp;
  let dir: { path: string; remove: () => void };
  let alice: CreatedKey;
  let bob: CreatedKey;
  let reader: CreatedKey;

  beforeAll(async () => {
    dir = makeTempDir('reg-models-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path } });
    alice = await createApiKey(t, { owner: 'alice', scopes: ['models:read', 'models:write'] });
    bob = await createApiKey(t, { owner: 'bob', scopes: ['models:read', 'models:write'] });
    reader = await createApiKey(t, { owner: 'carol', scopes: ['models:read'] });
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const events = (type: string, modelName: string) =>
    t.app
      .get(DataSource)
      .query('SELECT * FROM events WHERE type = $1 AND "modelName" = $2 ORDER BY id', [type, modelName]);

  it('should register a model owned by the key owner when the input is valid', async () => {
    const res = await t.http
      .post('/api/v1/models')
      .set(alice.headers)
      .send({
        name: 'churn',
        description: 'Predicts churn',
        tokenId: 'churn-1',
        benchmarkMetric: 'rmse',
        benchmarkValue: 0.25,
        labelColumn: 'churned',
        labelKind: 'numeric',
        tags: ['tabular', 'churn'],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'churn',
      tokenId: 'CHURN-1',
      benchmarkMetric: 'rmse',
      metricDirection: 'lower_is_better',
      benchmarkValue: 0.25,
      labelColumn: 'churned',
      labelKind: 'numeric',
      tags: ['tabular', 'churn'],
      visibility: 'public',
      owner: 'alice',
      status: 'active',
      latestVersion: 0,
      aliases: [],
    });
    const [event] = await events('model.registered', 'churn');
    expect(event).toMatchObject({ owner: 'alice', data: expect.objectContaining({ tokenId: 'CHURN-1' }) });
  });

  it('should default the direction to higher_is_better when the metric is accuracy', async () => {
    const m = await createModel(t, alice.headers, { benchmarkMetric: 'accuracy' });
    expect(m.metricDirection).toBe('higher_is_better');
  });

  it('should answer 409 when the name or the token id is taken', async () => {
    const m = await createModel(t, alice.headers);
    const dupName = await t.http
      .post('/api/v1/models')
      .set(bob.headers)
      .send({ name: m.name, tokenId: 'OTHER-TOKEN-1', benchmarkMetric: 'f1' })
      .expect(409);
    expect(dupName.body).toMatchObject({ code: 'MODEL_NAME_TAKEN', errors: [{ field: 'name' }] });
    const dupToken = await t.http
      .post('/api/v1/models')
      .set(bob.headers)
      .send({ name: 'another-name-1', tokenId: m.tokenId.toLowerCase(), benchmarkMetric: 'f1' })
      .expect(409);
    expect(dupToken.body).toMatchObject({ code: 'TOKEN_ID_TAKEN', errors: [{ field: 'tokenId' }] });
  });

  it('should register one model and write one event when several requests race for the same name', async () => {
    const body = (tokenId: string) => ({ name: 'raced-name', tokenId, benchmarkMetric: 'f1' });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.http
          .post('/api/v1/models')
          .set(i % 2 ? bob.headers : alice.headers)
          .send(body(`RACE-${i}`)),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'MODEL_NAME_TAKEN')).toBe(true);
    expect(await events('model.registered', 'raced-name')).toHaveLength(1);
  });

  it.each([['-ABC'], ['ABC-'], ['A_B'], ['A'.repeat(65)], ['']])(
    'should answer 400 naming tokenId when the token id is %p',
    async (tokenId) => {
      const res = await t.http
        .post('/api/v1/models')
        .set(alice.headers)
        .send({ name: 'bad-token', tokenId, benchmarkMetric: 'f1' })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('tokenId');
    },
  );

  it('should answer 400 naming the field when the name, metric or direction is invalid', async () => {
    const res = await t.http
      .post('/api/v1/models')
      .set(alice.headers)
      .send({ name: 'Bad Name', tokenId: 'OK', benchmarkMetric: 'bleu', metricDirection: 'up', extra: 1 })
      .expect(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'benchmarkMetric', 'metricDirection', 'extra']));
  });

  it('should refuse model writes when the key lacks models:write', async () => {
    const res = await t.http
      .post('/api/v1/models')
      .set(reader.headers)
      .send({ name: 'nope', tokenId: 'NOPE', benchmarkMetric: 'f1' })
      .expect(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('should filter by token id, tag and text with cursor pagination when listing', async () => {
    const a = await createModel(t, alice.headers, { tags: ['findme'], description: 'a zebra classifier' });
    const b = await createModel(t, alice.headers, { tags: ['findme'] });
    await createModel(t, alice.headers, { tags: ['other'] });

    const byToken = await t.http.get(`/api/v1/models?tokenId=${a.tokenId.toLowerCase()}`).set(reader.headers);
    expect(byToken.body.items.map((m: { name: string }) => m.name)).toEqual([a.name]);

    const byTag = await t.http.get('/api/v1/models?tag=findme').set(reader.headers).expect(200);
    expect(byTag.body.items.map((m: { name: string }) => m.name)).toEqual([b.name, a.name]);

    const byText = await t.http.get('/api/v1/models?q=ZEBRA').set(reader.headers).expect(200);
    expect(byText.body.items.map((m: { name: string }) => m.name)).toEqual([a.name]);

    const page1 = await t.http.get('/api/v1/models?tag=findme&limit=1').set(reader.headers).expect(200);
    expect(page1.body.items).toHaveLength(1);
    const page2 = await t.http
      .get(`/api/v1/models?tag=findme&limit=1&cursor=${page1.body.nextCursor}`)
      .set(reader.headers)
      .expect(200);
    expect(page2.body.items.map((m: { name: string }) => m.name)).toEqual([a.name]);
    expect(page2.body.nextCursor).toBeNull();

    await t.http.get('/api/v1/models?limit=101').set(reader.headers).expect(400);
  });

  it('should let the owner patch a model and answer 403 to another owner when it can see it', async () => {
    const m = await createModel(t, alice.headers);
    const ok = await t.http
      .patch(`/api/v1/models/${m.name}`)
      .set(alice.headers)
      .send({ description: 'new', tags: ['x'], benchmarkValue: 0.9 })
      .expect(200);
    expect(ok.body).toMatchObject({ description: 'new', tags: ['x'], benchmarkValue: 0.9 });
    expect(await events('model.updated', m.name)).toHaveLength(1);

    const denied = await t.http.patch(`/api/v1/models/${m.name}`).set(bob.headers).send({ description: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('NOT_MODEL_OWNER');
    await t.http.patch(`/api/v1/models/${m.name}`).set(t.admin).send({ description: 'by admin' }).expect(200);
    await t.http.patch(`/api/v1/models/${m.name}`).set(alice.headers).send({ tokenId: 'CHANGED' }).expect(400);
  });

  it('should hide a private model from other owners with 404 when they read or write it', async () => {
    const m = await createModel(t, alice.headers, { visibility: 'private' });
    await t.http.get(`/api/v1/models/${m.name}`).set(alice.headers).expect(200);
    await t.http.get(`/api/v1/models/${m.name}`).set(t.admin).expect(200);
    const hidden = await t.http.get(`/api/v1/models/${m.name}`).set(bob.headers).expect(404);
    expect(hidden.body.code).toBe('MODEL_NOT_FOUND');
    await t.http.patch(`/api/v1/models/${m.name}`).set(bob.headers).send({ description: 'x' }).expect(404);
    await t.http.delete(`/api/v1/models/${m.name}`).set(bob.headers).expect(404);
    await t.http.get(`/api/v1/models/${m.name}/versions`).set(bob.headers).expect(404);
    const list = await t.http.get(`/api/v1/models?tokenId=${m.tokenId}`).set(bob.headers).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('should answer 404 when the model does not exist', async () => {
    const res = await t.http.get('/api/v1/models/no-such-model').set(reader.headers).expect(404);
    expect(res.body).toMatchObject({ code: 'MODEL_NOT_FOUND', status: 404 });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('should archive on delete and refuse with 409 while production is set unless an admin forces it', async () => {
    const m = await createModel(t, alice.headers);
    await createVersion(t, m.name, undefined, {}, alice.headers);
    await t.http.post(`/api/v1/models/${m.name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);

    const refused = await t.http.delete(`/api/v1/models/${m.name}`).set(alice.headers).expect(409);
    expect(refused.body.code).toBe('MODEL_IN_PRODUCTION');
    const notAdmin = await t.http.delete(`/api/v1/models/${m.name}?force=true`).set(alice.headers).expect(403);
    expect(notAdmin.body.code).toBe('FORCE_REQUIRES_ADMIN');
    await t.http.delete(`/api/v1/models/${m.name}`).set(bob.headers).expect(403);

    await t.http.delete(`/api/v1/models/${m.name}?force=true`).set(t.admin).expect(204);
    const got = await t.http.get(`/api/v1/models/${m.name}`).set(alice.headers).expect(200);
    expect(got.body).toMatchObject({ status: 'archived', archivedAt: expect.any(String) });
    const [archived] = await events('model.archived', m.name);
    expect(archived.data).toMatchObject({ forced: true });

    const active = await t.http.get(`/api/v1/models?tokenId=${m.tokenId}`).set(alice.headers).expect(200);
    expect(active.body.items).toEqual([]);
    const all = await t.http.get(`/api/v1/models?tokenId=${m.tokenId}&status=archived`).set(alice.headers);
    expect(all.body.items).toHaveLength(1);

    const gone = await t.http.patch(`/api/v1/models/${m.name}`).set(alice.headers).send({ description: 'x' });
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('MODEL_ARCHIVED');
  });

  it('should archive a model without production when its owner deletes it', async () => {
    const m = await createModel(t, alice.headers);
    await t.http.delete(`/api/v1/models/${m.name}`).set(alice.headers).expect(204);
    await t.http.delete(`/api/v1/models/${m.name}`).set(alice.headers).expect(204);
    expect(await events('model.archived', m.name)).toHaveLength(1);
  });
});
