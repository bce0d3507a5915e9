import { DataSource } from 'typeorm';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { featureRows, labelledBy, modelWithTwoVersions, uploadBenchmark } from '../factories/deltaone.factory';
import { createModel, createVersion, features16, MLP, uniqueModel } from '../factories/model.factory';
import { modelTrainedOn, trainingRows } from '../factories/training.factory';
import { TEST_REDIS_URL, describeWithRedis } from '../support/redis';
import { makeTempDir } from '../support/temp-dir';
import { createReplicas, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const row = (seed: number) => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed + i)]));

/** Two replicas on one database and one Redis, as two servers behind a load balancer are (no test-only refresh). */
describeWithRedis('scale-out: two replicas on one PostgreSQL and one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;
  let owner: CreatedKey;
  const artifacts = makeTempDir('scale-out-artifacts-');

  beforeAll(async () => {
    ({ a, b, close } = await createReplicas({ REDIS_URL: TEST_REDIS_URL!, ARTIFACT_DIR: artifacts.path }));
    owner = await createApiKey(a, { scopes: ['models:read', 'models:write', 'predict', 'rewards:read'] });
  });
  afterAll(async () => {
    await close();
    artifacts.remove();
  });

  const predict = (t: TestApp, name: string, query = '') =>
    t.http
      .post(`/api/v1/models/${name}/predict${query}`)
      .set(owner.headers)
      .set('cache-control', 'no-cache')
      .send({ inputs: [row(1)] });

  it('should serve an alias moved on one replica from the other within two seconds when both serve it', async () => {
    const { name } = await createModel(a, owner.headers);
    await createVersion(a, name, MLP, { features: features16() }, owner.headers);
    await createVersion(a, name, uniqueModel(MLP), { features: features16() }, owner.headers);
    await a.http.put(`/api/v1/models/${name}/aliases/champion`).set(owner.headers).send({ version: 1 }).expect(200);
    expect((await predict(b, name, '?alias=champion').expect(200)).body.version).toBe(1);

    await a.http.put(`/api/v1/models/${name}/aliases/champion`).set(owner.headers).send({ version: 2 }).expect(200);
    await waitFor(
      async () => (await predict(b, name, '?alias=champion')).body.version === 2,
      'the other replica to serve the moved alias',
      2000,
    );
  });

  it('should keep a repository load per replica while every replica still serves the model when it is loaded on one', async () => {
    const { name } = await createModel(a, owner.headers);
    await createVersion(a, name, MLP, { features: features16() }, owner.headers);
    await a.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    const state = async (t: TestApp) =>
      (
        (await t.http.post('/v2/repository/index').set(owner.headers).send({}).expect(200)).body as Array<{
          name: string;
          state: string;
        }>
      ).find((e) => e.name === name)?.state;

    await a.http.post(`/v2/repository/models/${name}/load`).set(owner.headers).expect(200);
    expect(await state(a)).toBe('READY');
    expect(await state(b)).toBe('UNAVAILABLE');

    // Loading is a per-process cache: the other replica loads on the first request instead.
    expect((await predict(b, name).expect(200)).body.version).toBe(1);
    expect(await state(b)).toBe('READY');

    await b.http.post(`/v2/repository/models/${name}/unload`).set(owner.headers).expect(200);
    expect(await state(b)).toBe('UNAVAILABLE');
    expect(await state(a)).toBe('READY');
  });

  it('should run an evaluation once and decide once when both replicas run jobs', async () => {
    const name = await modelWithTwoVersions(a, owner);
    await uploadBenchmark(a, owner, name, await labelledBy(a, name, 2, featureRows(250)));
    await a.http
      .put(`/api/v1/models/${name}/deltaone-settings`)
      .set(owner.headers)
      .send({ minExamples: 200 })
      .expect(200);
    const ids: string[] = [];
    for (const t of [a, b]) {
      const res = await t.http
        .post(`/api/v1/models/${name}/evaluations`)
        .set(owner.headers)
        .send({ candidateVersion: 2 });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    for (const id of ids) {
      await waitFor(
        async () => {
          const res = await b.http.get(`/api/v1/evaluations/${id}`).set(owner.headers).expect(200);
          return ['completed', 'failed'].includes(res.body.status);
        },
        `evaluation ${id}`,
        60_000,
      );
    }
    const events: Array<{ id: string; type: string }> = await a.app
      .get(DataSource)
      .query(
        `SELECT data->>'evaluationId' AS id, type FROM events WHERE data->>'evaluationId' = ANY($1) ORDER BY events.id`,
        [ids],
      );
    for (const id of ids) {
      expect(events.filter((e) => e.id === id && e.type === 'evaluation.completed')).toHaveLength(1);
    }
    // The first is accepted and the second falls in its cooldown, whichever replica ran each.
    expect(events.filter((e) => e.type === 'deltaone.achieved')).toHaveLength(1);
    const decisions = async (t: TestApp) => {
      const text = (await t.http.get('/metrics').expect(200)).text;
      return [...text.matchAll(/^deltaone_decisions_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
    };
    expect((await decisions(a)) + (await decisions(b))).toBe(2);
  });

  it('should run a training run once and register one version when both replicas run jobs', async () => {
    const trainer = await createApiKey(a, { scopes: ['models:read', 'models:write', 'training:write'] });
    const name = await modelTrainedOn(a, trainer, trainingRows(80, 11));
    const res = await b.http.post(`/api/v1/models/${name}/training-runs`).set(trainer.headers).send({ seed: 3 });
    expect(res.status).toBe(202);
    const done = await waitFor(
      async () => {
        const r = await a.http.get(`/api/v1/training-runs/${res.body.id}`).set(trainer.headers).expect(200);
        return ['registered', 'failed', 'cancelled'].includes(r.body.status) && r.body;
      },
      'the training run',
      60_000,
    );
    expect(done).toMatchObject({ status: 'registered', resultVersion: 2 });
    const events: Array<{ type: string }> = await a.app
      .get(DataSource)
      .query(`SELECT type FROM events WHERE data->>'runId' = $1 ORDER BY id`, [res.body.id]);
    expect(events.map((e) => e.type)).toEqual(['training.started', 'training.completed']);
    const versions = await b.http.get(`/api/v1/models/${name}/versions`).set(trainer.headers).expect(200);
    expect(versions.body.items.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);
  });
});
