import { createApiKey } from '../factories/api-key.factory';
import { createExperiment } from '../factories/experiment.factory';
import { createModel, createVersion, features16, LOGREG, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createReplicas, createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface Answer {
  status: number;
  headers: Headers;
  body: {
    version?: number;
    experiment?: { id: string; variant: string; version: number; assignment: string };
    model_version?: string;
    parameters?: Record<string, unknown>;
  };
}

const row = JSON.stringify({ instances: [Array.from({ length: 16 }, (_, i) => i / 16)] });
const tensor = JSON.stringify({
  inputs: [{ name: 'input', shape: [1, 16], datatype: 'FP32', data: Array.from({ length: 16 }, (_, i) => i / 16) }],
});

/** Sent whole (Content-Length), a lean route takes the direct path; streamed in chunks, Fastify serves it. */
async function send(
  base: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  chunked = false,
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: chunked ? new Blob([body]).stream() : body,
    ...(chunked ? { duplex: 'half' } : {}),
  });
  const text = await res.text();
  const answer: Answer = {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Answer['body']) : {},
  };
  return answer;
}

describe('experiments: routing predict and infer by variant', () => {
  let dir: { path: string; remove: () => void };
  let t: TestApp;
  let base: string;
  let model: string;
  let key: { authorization: string };
  let experimentId: string;

  beforeAll(async () => {
    dir = makeTempDir('exp-routing-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path } });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    key = (await createApiKey(t, { owner: 'alice', scopes: ['predict', 'models:write', 'experiments:write'] })).headers;
    model = (await createModel(t, key)).name;
    await createVersion(t, model, LOGREG, { features: features16() }, key);
    await createVersion(t, model, MLP, { features: features16() }, key);
    await t.http.post(`/api/v1/models/${model}/promote`).set(key).send({ version: 1 }).expect(200);
    experimentId = (await createExperiment(t, key, model)).id;
    await t.http.post(`/api/v1/experiments/${experimentId}/start`).set(key).expect(200);
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const predict = (headers: Record<string, string>, chunked = false, query = '') =>
    send(base, `/api/v1/models/${model}/predict${query}`, { ...key, ...headers }, row, chunked);

  it('should serve each unit by its variant, the same on the direct path and on Fastify, when an experiment runs', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const unit = { 'x-user-id': `user-${i}` };
      const direct = await predict(unit);
      const fastify = await predict(unit, true);
      expect(direct.status).toBe(200);
      expect(direct.body.experiment).toMatchObject({ id: experimentId, assignment: 'unit' });
      expect(direct.headers.get('x-variant')).toBe(direct.body.experiment!.variant);
      expect(direct.body.version).toBe(direct.body.experiment!.version);
      expect(direct.body.version).toBe(direct.body.experiment!.variant === 'control' ? 1 : 2);
      expect(fastify.body.experiment).toEqual(direct.body.experiment);
      expect(fastify.headers.get('x-variant')).toBe(direct.body.experiment!.variant);
      seen.add(direct.body.experiment!.variant);
    }
    expect([...seen].sort()).toEqual(['control', 'treatment']);
  });

  it('should assign at random and say so when the request names no unit', async () => {
    const res = await predict({});
    expect(res.status).toBe(200);
    expect(res.body.experiment).toMatchObject({ id: experimentId, assignment: 'random' });
  });

  it('should not route a request that names a version or an alias', async () => {
    const byVersion = await predict({ 'x-user-id': 'user-1' }, false, '?version=2');
    const byAlias = await predict({ 'x-user-id': 'user-1' }, false, '?alias=production');
    expect(byVersion.body.experiment).toBeUndefined();
    expect(byVersion.headers.get('x-variant')).toBeNull();
    expect(byAlias.body.version).toBe(1);
    expect(byAlias.body.experiment).toBeUndefined();
  });

  it('should name the variant on the protocol infer when an experiment routes it', async () => {
    const unit = { ...key, 'x-user-id': 'user-7' };
    const predicted = await predict({ 'x-user-id': 'user-7' });
    const direct = await send(base, `/v2/models/${model}/infer`, unit, tensor);
    const fastify = await send(base, `/v2/models/${model}/infer`, unit, tensor, true);
    expect(direct.status).toBe(200);
    expect(direct.body.parameters).toMatchObject({
      experiment_id: experimentId,
      variant: predicted.body.experiment!.variant,
      assignment: 'unit',
    });
    expect(direct.body.model_version).toBe(String(predicted.body.version));
    expect(direct.headers.get('x-variant')).toBe(predicted.body.experiment!.variant);
    expect(fastify.body.parameters).toEqual(direct.body.parameters);
  });

  it('should give the answer served by production again when the experiment is paused', async () => {
    const unit = 'user-3';
    await t.http.post(`/api/v1/experiments/${experimentId}/pause`).set(key).expect(200);
    const paused = await predict({ 'x-user-id': unit });
    expect(paused.body.experiment).toBeUndefined();
    expect(paused.body.version).toBe(1);
    await t.http.post(`/api/v1/experiments/${experimentId}/resume`).set(key).expect(200);
    const resumed = await predict({ 'x-user-id': unit });
    expect(resumed.body.experiment!.id).toBe(experimentId);
  });
});

describe('experiments: shadow traffic and metrics by variant', () => {
  let dir: { path: string; remove: () => void };
  let t: TestApp;

  beforeAll(async () => {
    dir = makeTempDir('exp-shadow-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path } });
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const metric = (text: string, name: string, labels: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('should run the shadow version after answering, count agreement, and never return its output', async () => {
    const key = (await createApiKey(t, { owner: 'alice', scopes: ['predict', 'models:write', 'experiments:write'] }))
      .headers;
    const model = (await createModel(t, key)).name;
    await createVersion(t, model, LOGREG, { features: features16() }, key);
    await createVersion(t, model, MLP, { features: features16() }, key);
    await createVersion(t, model, LOGREG, { features: features16() }, key);
    await t.http.post(`/api/v1/models/${model}/promote`).set(key).send({ version: 1 }).expect(200);
    const e = await createExperiment(t, key, model, { shadow: { version: 3, percent: 100 } });
    await t.http.post(`/api/v1/experiments/${e.id}/start`).set(key).expect(200);
    for (let i = 0; i < 8; i++) {
      const res = await t.http
        .post(`/api/v1/models/${model}/predict`)
        .set({ ...key, 'x-user-id': `u${i}`, 'content-type': 'application/json' })
        .send(row)
        .expect(200);
      expect([1, 2]).toContain(res.body.version);
    }
    const shadowRuns = async (): Promise<number> => {
      const text = (await t.http.get('/metrics').set(t.admin).expect(200)).text;
      const of = (result: string) => metric(text, 'experiment_shadow_total', `result="${result}"`);
      return of('agreed') + of('disagreed') + of('error') + of('dropped');
    };
    await waitFor(async () => (await shadowRuns()) === 8, 'eight shadow runs counted');
    const text = (await t.http.get('/metrics').set(t.admin).expect(200)).text;
    const requests = ['control', 'treatment']
      .map((v) => metric(text, 'experiment_requests_total', `variant="${v}"`))
      .reduce((a, b) => a + b, 0);
    expect(requests).toBeGreaterThan(0);
    expect(text).toContain(`experiment_request_duration_seconds_bucket{le="0.0005",experiment="${e.id}"`);
    // Version 3 is the same model file as version 1: the control's answers agree with the shadow's.
    expect(metric(text, 'experiment_shadow_total', 'result="error"')).toBe(0);
  });
});

describe('experiments: the same unit gets the same variant on two replicas and after a restart', () => {
  it('should assign every unit the same variant when two processes on one database and a restarted one serve it', async () => {
    const dir = makeTempDir('exp-replicas-');
    const env = { ARTIFACT_DIR: dir.path, ALIAS_REFRESH_MS: '200' };
    const { a, b } = await createReplicas(env);
    let bOpen = true;
    let restarted: TestApp | undefined;
    try {
      const key = (await createApiKey(a, { owner: 'alice', scopes: ['predict', 'models:write', 'experiments:write'] }))
        .headers;
      const model = (await createModel(a, key)).name;
      await createVersion(a, model, LOGREG, { features: features16() }, key);
      await createVersion(a, model, MLP, { features: features16() }, key);
      await a.http.post(`/api/v1/models/${model}/promote`).set(key).send({ version: 1 }).expect(200);
      const e = await createExperiment(a, key, model);
      await a.http.post(`/api/v1/experiments/${e.id}/start`).set(key).expect(200);

      const variants = async (app: TestApp): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < 20; i++) {
          const res = await app.http
            .post(`/api/v1/models/${model}/predict`)
            .set({ ...key, 'x-user-id': `unit-${i}` })
            .send(row)
            .set('content-type', 'application/json')
            .expect(200);
          out.push(res.body.experiment?.variant ?? 'none');
        }
        return out;
      };
      const onA = await variants(a);
      expect(new Set(onA)).toEqual(new Set(['control', 'treatment']));
      // Replica b learns of the experiment by its own refresh, not by a call from a.
      await waitFor(async () => (await variants(b)).every((v) => v !== 'none'), 'replica b to route by the experiment');
      expect(await variants(b)).toEqual(onA);
      await b.app.close();
      bOpen = false;
      restarted = await createTestApp({ env, databaseUrl: a.databaseUrl });
      expect(await variants(restarted)).toEqual(onA);
    } finally {
      await restarted?.app.close();
      if (bOpen) await b.app.close();
      await a.close();
      dir.remove();
    }
  });
});
