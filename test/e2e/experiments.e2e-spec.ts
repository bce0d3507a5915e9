import { Scope } from 'src/platform/auth';
import { DataSource } from 'typeorm';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createExperiment, experimentBody } from '../factories/experiment.factory';
import { createModel, createVersion, LOGREG, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

describe('experiments: create, validate, start, pause, resume, stop, reweight', () => {
  let t: TestApp;
  let dir: { path: string; remove: () => void };
  let alice: CreatedKey;
  let bob: CreatedKey;
  let reader: CreatedKey;
  let ds: DataSource;

  beforeAll(async () => {
    dir = makeTempDir('experiments-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path } });
    ds = t.app.get(DataSource);
    const scopes: Scope[] = ['models:read', 'models:write', 'experiments:read', 'experiments:write', 'predict'];
    alice = await createApiKey(t, { owner: 'alice', scopes });
    bob = await createApiKey(t, { owner: 'bob', scopes });
    reader = await createApiKey(t, { owner: 'alice', scopes: ['models:read', 'experiments:read'] });
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  async function model(): Promise<string> {
    const m = await createModel(t, alice.headers);
    await createVersion(t, m.name, LOGREG, {}, alice.headers);
    await createVersion(t, m.name, MLP, {}, alice.headers);
    await t.http.post(`/api/v1/models/${m.name}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    return m.name;
  }

  it('should create a draft with defaults and the control first when the body is valid', async () => {
    const name = await model();
    const res = await t.http
      .post('/api/v1/experiments')
      .set(alice.headers)
      .send(
        experimentBody(name, {
          variants: [
            { name: 'control', alias: 'production', weight: 50 },
            { name: 'treatment', version: 2, weight: 50 },
          ],
        }),
      )
      .expect(201);
    expect(res.body).toMatchObject({
      model: name,
      owner: 'alice',
      status: 'draft',
      unitHeader: 'x-user-id',
      alpha: 0.05,
      autoPromote: false,
      guardrails: [],
      shadow: null,
      variants: [
        { name: 'control', version: 1, alias: 'production', weight: 50, buckets: 5000, control: true },
        { name: 'treatment', version: 2, alias: null, weight: 50, buckets: 5000, control: false },
      ],
    });
    const got = await t.http.get(`/api/v1/experiments/${res.body.id}`).set(reader.headers).expect(200);
    expect(got.body.id).toBe(res.body.id);
  });

  it.each([
    ['variants', { variants: [{ name: 'only', version: 1, weight: 1 }] }],
    [
      'variants[1].weight',
      {
        variants: [
          { name: 'a', version: 1, weight: 1 },
          { name: 'b', version: 2, weight: -1 },
        ],
      },
    ],
    ['primaryMetric.kind', { primaryMetric: { name: 'm', kind: 'ratio', direction: 'increase' } }],
    ['shadow.percent', { shadow: { version: 2, percent: 101 } }],
    ['alpha', { alpha: 0.9 }],
    ['guardrails[0].metric', { guardrails: [{ metric: 'cpu', max: 1 }] }],
    ['minimumDetectableEffect', { minimumDetectableEffect: 0 }],
  ])('should answer 400 naming %s when it is not valid', async (field, overrides) => {
    const name = await model();
    const res = await t.http
      .post('/api/v1/experiments')
      .set(alice.headers)
      .send(experimentBody(name, overrides))
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    [
      'variants[1].version',
      {
        variants: [
          { name: 'a', version: 1, weight: 1 },
          { name: 'b', version: 9, weight: 1 },
        ],
      },
    ],
    [
      'variants[1].alias',
      {
        variants: [
          { name: 'a', version: 1, weight: 1 },
          { name: 'b', alias: 'nope', weight: 1 },
        ],
      },
    ],
    [
      'variants[1].name',
      {
        variants: [
          { name: 'a', version: 1, weight: 1 },
          { name: 'a', version: 2, weight: 1 },
        ],
      },
    ],
    [
      'variants[0]',
      {
        variants: [
          { name: 'a', weight: 1 },
          { name: 'b', version: 2, weight: 1 },
        ],
      },
    ],
    ['shadow.version', { shadow: { version: 7, percent: 10 } }],
  ])('should answer 400 naming %s when it names no version of the model', async (field, overrides) => {
    const name = await model();
    const res = await t.http
      .post('/api/v1/experiments')
      .set(alice.headers)
      .send(experimentBody(name, overrides))
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('should walk draft → running ⇄ paused → completed, audit and publish it when the owner drives it', async () => {
    const name = await model();
    const e = await createExperiment(t, alice.headers, name);
    const step = (action: string, status = 200) =>
      t.http.post(`/api/v1/experiments/${e.id}/${action}`).set(alice.headers).expect(status);
    expect((await step('start')).body).toMatchObject({ status: 'running', startedAt: expect.any(String) });
    expect((await step('start', 409)).body.code).toBe('EXPERIMENT_STATE_CONFLICT');
    expect((await step('pause')).body.status).toBe('paused');
    expect((await step('resume')).body.status).toBe('running');
    expect((await step('stop')).body).toMatchObject({ status: 'completed', endedAt: expect.any(String) });
    expect((await step('resume', 409)).body.code).toBe('EXPERIMENT_STATE_CONFLICT');

    const actions = await ds.query(
      `SELECT action FROM audit_log WHERE "targetType" = 'experiment' AND "targetId" = $1 ORDER BY seq`,
      [e.id],
    );
    expect(actions.map((a: { action: string }) => a.action)).toEqual([
      'experiment.create',
      'experiment.start',
      'experiment.pause',
      'experiment.resume',
      'experiment.stop',
    ]);
    const events = await ds.query(
      `SELECT type FROM events WHERE "modelName" = $1 AND type LIKE 'experiment.%' ORDER BY id`,
      [name],
    );
    expect(events.map((r: { type: string }) => r.type)).toEqual(['experiment.started', 'experiment.completed']);
  });

  it('should cancel a draft when it is stopped before it starts', async () => {
    const e = await createExperiment(t, alice.headers, await model());
    const res = await t.http.post(`/api/v1/experiments/${e.id}/stop`).set(alice.headers).expect(200);
    expect(res.body.status).toBe('cancelled');
  });

  it('should answer 409 when a second experiment on the same model starts, and allow it after the first stops', async () => {
    const name = await model();
    const first = await createExperiment(t, alice.headers, name);
    const second = await createExperiment(t, alice.headers, name);
    await t.http.post(`/api/v1/experiments/${first.id}/start`).set(alice.headers).expect(200);
    const res = await t.http.post(`/api/v1/experiments/${second.id}/start`).set(alice.headers).expect(409);
    expect(res.body.code).toBe('EXPERIMENT_ALREADY_RUNNING');
    await t.http.post(`/api/v1/experiments/${first.id}/stop`).set(alice.headers).expect(200);
    await t.http.post(`/api/v1/experiments/${second.id}/start`).set(alice.headers).expect(200);
  });

  it('should refuse a second running row in the database itself when the service check is bypassed', async () => {
    const name = await model();
    const a = await createExperiment(t, alice.headers, name);
    const b = await createExperiment(t, alice.headers, name);
    await ds.query(`UPDATE experiments SET status = 'running' WHERE id = $1`, [a.id]);
    await expect(ds.query(`UPDATE experiments SET status = 'running' WHERE id = $1`, [b.id])).rejects.toThrow(
      /uq_experiments_running_model/,
    );
  });

  it('should change weights while running and move only the delta when PATCHed', async () => {
    const e = await createExperiment(t, alice.headers, await model());
    await t.http.post(`/api/v1/experiments/${e.id}/start`).set(alice.headers).expect(200);
    const res = await t.http
      .patch(`/api/v1/experiments/${e.id}`)
      .set(alice.headers)
      .send({
        variants: [
          { name: 'control', weight: 60 },
          { name: 'treatment', weight: 40 },
        ],
      })
      .expect(200);
    expect(res.body.variants.map((v: { buckets: number }) => v.buckets)).toEqual([6000, 4000]);
    const bad = await t.http
      .patch(`/api/v1/experiments/${e.id}`)
      .set(alice.headers)
      .send({ variants: [{ name: 'ghost', weight: 1 }] })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('variants[0].name');
  });

  it('should hide an experiment from another owner and refuse a key without experiments:write', async () => {
    const name = await model();
    const e = await createExperiment(t, alice.headers, name);
    await t.http.get(`/api/v1/experiments/${e.id}`).set(bob.headers).expect(404);
    await t.http.post(`/api/v1/experiments/${e.id}/start`).set(bob.headers).expect(404);
    const list = await t.http.get('/api/v1/experiments').set(bob.headers).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(e.id);
    await t.http.post('/api/v1/experiments').set(reader.headers).send(experimentBody(name)).expect(403);
    const res = await t.http.post('/api/v1/experiments').set(bob.headers).send(experimentBody(name));
    expect(res.status).toBe(403);
  });

  it('should list the owner’s experiments filtered by model and status', async () => {
    const name = await model();
    const e = await createExperiment(t, alice.headers, name);
    const res = await t.http.get(`/api/v1/experiments?model=${name}&status=draft`).set(reader.headers).expect(200);
    expect(res.body.items.map((x: { id: string }) => x.id)).toEqual([e.id]);
  });
});
