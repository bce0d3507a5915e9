import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { DataSource } from 'typeorm';
import { RegistryService } from 'src/modules/registry';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, LOGREG, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

describe('registry: aliases, promotion, rollback, lineage and resolution', () => {
  let t: TestApp;
  let dir: { path: string; remove: () => void };
  let alice: CreatedKey;
  let bob: CreatedKey;
  let ds: DataSource;

  beforeAll(async () => {
    dir = makeTempDir('reg-aliases-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path } });
    ds = t.app.get(DataSource);
    alice = await createApiKey(t, { owner: 'alice', scopes: ['models:read', 'models:write'] });
    bob = await createApiKey(t, { owner: 'bob', scopes: ['models:read', 'models:write'] });
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  async function modelWithVersions(n: number, overrides = {}): Promise<string> {
    const m = await createModel(t, alice.headers, overrides);
    for (let i = 0; i < n; i++) await createVersion(t, m.name, i % 2 ? MLP : LOGREG, {}, alice.headers);
    return m.name;
  }

  const eventTypes = async (name: string): Promise<string[]> =>
    (await ds.query('SELECT type FROM events WHERE "modelName" = $1 ORDER BY id', [name])).map(
      (r: { type: string }) => r.type,
    );

  it('should create, move, read and delete an alias and keep every change in the history', async () => {
    const name = await modelWithVersions(2);
    const created = await t.http
      .put(`/api/v1/models/${name}/aliases/champion`)
      .set(alice.headers)
      .send({ version: 1 })
      .expect(200);
    expect(created.body).toMatchObject({ modelName: name, alias: 'champion', version: 1, updatedBy: 'alice' });
    await t.http.put(`/api/v1/models/${name}/aliases/champion`).set(alice.headers).send({ version: 2 }).expect(200);
    const got = await t.http.get(`/api/v1/models/${name}/aliases/champion`).set(bob.headers).expect(200);
    expect(got.body.version).toBe(2);
    const v2 = await t.http.get(`/api/v1/models/${name}/versions/2`).set(bob.headers).expect(200);
    expect(v2.body.aliases).toEqual(['champion']);
    const list = await t.http.get(`/api/v1/models/${name}/aliases`).set(bob.headers).expect(200);
    expect(list.body.items.map((a: { alias: string }) => a.alias)).toEqual(['champion']);
    const model = await t.http.get(`/api/v1/models/${name}`).set(bob.headers).expect(200);
    expect(model.body.aliases).toEqual([{ alias: 'champion', version: 2 }]);

    await t.http.delete(`/api/v1/models/${name}/aliases/champion`).set(alice.headers).expect(204);
    const gone = await t.http.get(`/api/v1/models/${name}/aliases/champion`).set(bob.headers).expect(404);
    expect(gone.body.code).toBe('ALIAS_NOT_FOUND');
    await t.http.delete(`/api/v1/models/${name}/aliases/champion`).set(alice.headers).expect(404);

    const history = await t.http.get(`/api/v1/models/${name}/alias-history`).set(bob.headers).expect(200);
    expect(
      history.body.items.map((h: Record<string, unknown>) => [h.action, h.fromVersion, h.toVersion, h.actor]),
    ).toEqual([
      ['delete', 2, null, 'alice'],
      ['set', 1, 2, 'alice'],
      ['set', null, 1, 'alice'],
    ]);
    expect(await eventTypes(name)).toEqual(
      expect.arrayContaining(['model.alias.updated', 'model.alias.updated', 'model.alias.deleted']),
    );
  });

  it.each([['latest'], ['LATEST'], ['v1'], ['V22'], ['bad alias'], ['a.b'], ['x'.repeat(257)]])(
    'should answer 400 naming alias when the alias is %p',
    async (alias) => {
      const name = await modelWithVersions(1);
      const res = await t.http
        .put(`/api/v1/models/${name}/aliases/${encodeURIComponent(alias)}`)
        .set(alice.headers)
        .send({ version: 1 })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('alias');
    },
  );

  it('should accept an alias of 256 characters when it is otherwise valid', async () => {
    const name = await modelWithVersions(1);
    const alias = `a${'-'.repeat(254)}b`;
    await t.http.put(`/api/v1/models/${name}/aliases/${alias}`).set(alice.headers).send({ version: 1 }).expect(200);
    const got = await t.http.get(`/api/v1/models/${name}/aliases/${alias}`).set(alice.headers).expect(200);
    expect(got.body.alias).toBe(alias);
  });

  it('should answer 404 when the alias targets an unknown version or model', async () => {
    const name = await modelWithVersions(1);
    const res = await t.http
      .put(`/api/v1/models/${name}/aliases/champion`)
      .set(alice.headers)
      .send({ version: 5 })
      .expect(404);
    expect(res.body.code).toBe('VERSION_NOT_FOUND');
    await t.http.put('/api/v1/models/nope-model/aliases/champion').set(alice.headers).send({ version: 1 }).expect(404);
    await t.http.get(`/api/v1/models/${name}/aliases/none`).set(alice.headers).expect(404);
  });

  it('should answer 403 to another owner and 404 on a private model when moving aliases', async () => {
    const name = await modelWithVersions(1);
    const denied = await t.http
      .put(`/api/v1/models/${name}/aliases/champion`)
      .set(bob.headers)
      .send({ version: 1 })
      .expect(403);
    expect(denied.body.code).toBe('NOT_MODEL_OWNER');
    await t.http.post(`/api/v1/models/${name}/promote`).set(bob.headers).send({ version: 1 }).expect(403);
    await t.http.post(`/api/v1/models/${name}/rollback`).set(bob.headers).expect(403);
    const hidden = await modelWithVersions(1, { visibility: 'private' });
    await t.http.post(`/api/v1/models/${hidden}/promote`).set(bob.headers).send({ version: 1 }).expect(404);
    await t.http.get(`/api/v1/models/${hidden}/aliases`).set(bob.headers).expect(404);
  });

  it('should promote and roll back through the earlier production versions, then answer 409', async () => {
    const name = await modelWithVersions(3);
    const p1 = await t.http.post(`/api/v1/models/${name}/promote`).set(alice.headers).send({ version: 1 });
    expect(p1.body).toEqual({ modelName: name, alias: 'production', version: 1, previousVersion: null });
    await t.http.post(`/api/v1/models/${name}/promote`).set(alice.headers).send({ version: 2 }).expect(200);
    // Moving production with PUT is a promotion too.
    await t.http.put(`/api/v1/models/${name}/aliases/production`).set(alice.headers).send({ version: 3 }).expect(200);

    const registry = t.app.get(RegistryService);
    expect(await registry.previousProduction(name)).toBe(2);

    const r1 = await t.http.post(`/api/v1/models/${name}/rollback`).set(alice.headers).expect(200);
    expect(r1.body).toEqual({ modelName: name, alias: 'production', version: 2, previousVersion: 3 });
    const r2 = await t.http.post(`/api/v1/models/${name}/rollback`).set(alice.headers).expect(200);
    expect(r2.body).toMatchObject({ version: 1, previousVersion: 2 });
    const r3 = await t.http.post(`/api/v1/models/${name}/rollback`).set(alice.headers).expect(409);
    expect(r3.body.code).toBe('NO_ROLLBACK_TARGET');

    const types = await eventTypes(name);
    expect(types.filter((x) => x === 'model.promoted')).toHaveLength(3);
    expect(types.filter((x) => x === 'model.rolled_back')).toHaveLength(2);
    const [rolled] = await ds.query(
      `SELECT data FROM events WHERE "modelName" = $1 AND type = 'model.rolled_back' ORDER BY id LIMIT 1`,
      [name],
    );
    expect(rolled.data).toMatchObject({ alias: 'production', version: 2, previousVersion: 3 });
    const history = await t.http
      .get(`/api/v1/models/${name}/alias-history?alias=production&limit=2`)
      .set(alice.headers)
      .expect(200);
    expect(history.body.items.map((h: { action: string }) => h.action)).toEqual(['rollback', 'rollback']);
    expect(history.body.nextCursor).toEqual(expect.any(String));
  });

  it('should answer 409 on rollback when production never held another version', async () => {
    const name = await modelWithVersions(1);
    await t.http.post(`/api/v1/models/${name}/rollback`).set(alice.headers).expect(409);
    await t.http.post(`/api/v1/models/${name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    await t.http.post(`/api/v1/models/${name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    await t.http.post(`/api/v1/models/${name}/rollback`).set(alice.headers).expect(409);
    await t.http.post(`/api/v1/models/${name}/promote`).set(alice.headers).send({ version: 9 }).expect(404);
  });

  it('should return the chain to the first version with direction-aware deltas when asked for lineage', async () => {
    const m = await createModel(t, alice.headers, { benchmarkMetric: 'rmse', benchmarkValue: 0.3 });
    await createVersion(t, m.name, LOGREG, { metrics: { rmse: 0.25 }, datasetHash: 'd1' }, alice.headers);
    await createVersion(
      t,
      m.name,
      MLP,
      { metrics: { rmse: 0.2 }, parentVersion: 1, contributionIds: ['c1'] },
      alice.headers,
    );
    await createVersion(t, m.name, LOGREG, { metrics: { mae: 1 } }, alice.headers);
    await createVersion(
      t,
      m.name,
      MLP,
      { metrics: { rmse: 0.21 }, parentVersion: 2, datasetHash: 'd4', contributionIds: ['c2', 'c3'] },
      alice.headers,
    );
    const res = await t.http.get(`/api/v1/models/${m.name}/versions/4/lineage`).set(bob.headers).expect(200);
    expect(res.body).toMatchObject({
      modelName: m.name,
      benchmarkMetric: 'rmse',
      metricDirection: 'lower_is_better',
      declaredBaseline: 0.3,
    });
    expect(
      res.body.chain.map((e: Record<string, unknown>) => [e.version, e.benchmarkValue, e.delta, e.deltaBps]),
    ).toEqual([
      [4, 0.21, -0.01, -100],
      [2, 0.2, 0.05, 500],
      [1, 0.25, null, null],
    ]);
    expect(res.body.chain[0]).toMatchObject({ datasetHash: 'd4', contributionIds: ['c2', 'c3'], parentVersion: 2 });
    const first = await t.http.get(`/api/v1/models/${m.name}/versions/3/lineage`).set(bob.headers).expect(200);
    expect(first.body.chain).toHaveLength(1);
    await t.http.get(`/api/v1/models/${m.name}/versions/9/lineage`).set(bob.headers).expect(404);
  });

  it('should resolve a version by number, alias and production default to a file onnxruntime can run', async () => {
    const m = await createModel(t, alice.headers, { labelColumn: 'churned', labelKind: 'classes' });
    await createVersion(t, m.name, LOGREG, { features: features16(), metrics: { accuracy: 0.8 } }, alice.headers);
    const v2 = await createVersion(
      t,
      m.name,
      MLP,
      { features: features16(), parentVersion: 1, batching: { maxBatchSize: 32, maxDelayMs: 5 } },
      alice.headers,
    );
    expect(v2.batching).toEqual({ maxBatchSize: 32, maxDelayMs: 5 });
    await t.http.post(`/api/v1/models/${m.name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    await t.http.put(`/api/v1/models/${m.name}/aliases/challenger`).set(alice.headers).send({ version: 2 });
    const registry = t.app.get(RegistryService);

    const prod = await registry.resolve(m.name);
    expect(prod).toMatchObject({
      modelName: m.name,
      version: 1,
      aliases: ['production'],
      features: features16(),
      metrics: { accuracy: 0.8 },
      inputs: [{ name: 'input', type: 'float32', shape: [-1, 16] }],
      model: { name: m.name, tokenId: m.tokenId, labelColumn: 'churned', labelKind: 'classes', owner: 'alice' },
    });
    expect(createHash('sha256').update(readFileSync(prod.artifactPath)).digest('hex')).toBe(prod.sha256);
    const session = await ort.InferenceSession.create(prod.artifactPath);
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(16).fill(0.1), [1, 16]) });
    expect(out.probabilities.dims).toEqual([1, 2]);
    await session.release();

    expect(await registry.resolve(m.name, { alias: 'challenger' })).toMatchObject({
      version: 2,
      batching: { maxBatchSize: 32, maxDelayMs: 5 },
    });
    expect(prod.batching).toBeUndefined();
    expect((await registry.resolve(m.name, { alias: 'latest' })).version).toBe(2);
    expect((await registry.resolve(m.name, { alias: 'v1' })).version).toBe(1);
    expect((await registry.resolve(m.name, { version: 2 })).parentVersion).toBe(1);
    await expect(registry.resolve(m.name, { alias: 'nope' })).rejects.toMatchObject({ code: 'ALIAS_NOT_FOUND' });
    await expect(registry.resolve(m.name, { version: 3 })).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
    await expect(registry.resolve('no-such-model')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const listed = await registry.listAliased();
    expect(listed.filter((e) => e.name === m.name)).toEqual([
      { name: m.name, owner: m.owner, visibility: 'public', version: 1, aliases: ['production'] },
      { name: m.name, owner: m.owner, visibility: 'public', version: 2, aliases: ['challenger'] },
    ]);

    const hidden = await createModel(t, alice.headers, { visibility: 'private' });
    await createVersion(t, hidden.name, LOGREG, {}, alice.headers);
    const bobPrincipal = { keyId: bob.id, owner: 'bob', scopes: ['models:read' as const], isAdmin: false };
    await expect(registry.resolve(hidden.name, { version: 1, principal: bobPrincipal })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    expect((await registry.resolve(hidden.name, { version: 1 })).version).toBe(1);
  });

  it('should register a version from a local file when another module calls the registry', async () => {
    const m = await createModel(t, alice.headers);
    await createVersion(t, m.name, LOGREG, {}, alice.headers);
    const registry = t.app.get(RegistryService);
    const alicePrincipal = { keyId: alice.id, owner: 'alice', scopes: ['models:write' as const], isAdmin: false };
    const v2 = await registry.registerVersionFromFile(alicePrincipal, m.name, MLP, {
      parentVersion: 1,
      contributionIds: ['c9'],
      features: features16(),
    });
    expect(v2).toMatchObject({ version: 2, parentVersion: 1, contributionIds: ['c9'] });
    expect(readFileSync(MLP).length).toBeGreaterThan(0);
    await expect(registry.registerVersionFromFile(alicePrincipal, m.name, __filename, {})).rejects.toMatchObject({
      code: 'INVALID_ONNX_MODEL',
    });
    const promoted = await registry.promote(alicePrincipal, m.name, 2);
    expect(promoted).toEqual({ version: 2, previousVersion: null });
    // An internal actor (an experiment's auto-promotion) is recorded by name in the alias history.
    const system = { keyId: 'experiments', owner: 'system', scopes: ['admin' as const], isAdmin: true };
    await registry.promote(system, m.name, 1);
    expect(await registry.rollback(system, m.name)).toEqual({ version: 2, previousVersion: 1 });
    const history = await t.http.get(`/api/v1/models/${m.name}/alias-history`).set(alice.headers).expect(200);
    expect(history.body.items[0]).toMatchObject({ action: 'rollback', actor: 'system', actorKeyId: 'experiments' });
  });
});
