import { join } from 'node:path';
import { RegistryService } from 'src/modules/registry';
import { createApiKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fixtures = require('../fixtures/onnx-models.js') as { writeAll: (dir: string) => string[] };

const row = (seed: number) => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed + i)]));
const instance = (seed: number) => Array.from({ length: 16 }, (_, i) => Math.sin(seed + i));

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('inference', () => {
  let t: TestApp;
  let predictKey: { authorization: string };
  let readKey: { authorization: string };
  let model: string;
  const tmp = makeTempDir('inference-e2e-');
  let logisticPath: string;
  let brokenPath: string;
  let slowPath: string;
  let typedPath: string;

  beforeAll(async () => {
    [logisticPath, , , slowPath, brokenPath, typedPath] = fixtures.writeAll(join(tmp.path, 'models'));
    t = await createTestApp({ env: { MAX_ROWS_PER_REQUEST: '600', ALIAS_REFRESH_MS: '100' } });
    predictKey = (await createApiKey(t, { scopes: ['predict'] })).headers;
    readKey = (await createApiKey(t, { scopes: ['models:read'] })).headers;
    model = (await createModel(t)).name;
    await createVersion(t, model, MLP, { features: features16() });
    await t.http.post(`/api/v1/models/${model}/promote`).set(t.admin).send({ version: 1 }).expect(200);
  });

  afterAll(async () => {
    await t.close();
    tmp.remove();
  });

  const predict = (name: string, body: object, query = '') =>
    t.http.post(`/api/v1/models/${name}/predict${query}`).set(predictKey).send(body);

  describe('POST /api/v1/models/{name}/predict', () => {
    it('should answer each row with label and probabilities from production when rows are records', async () => {
      const res = await predict(model, { inputs: [row(1), row(2)] }).expect(200);
      expect(res.headers['x-model-version']).toBe('1');
      expect(res.body).toMatchObject({
        model,
        version: 1,
        cached: false,
        fallback: null,
        requestId: res.headers['x-request-id'],
      });
      expect(res.body.predictions).toHaveLength(2);
      for (const p of res.body.predictions) {
        expect([0, 1]).toContain(p.label);
        expect(p.probabilities[0] + p.probabilities[1]).toBeCloseTo(1, 5);
      }
    });

    it('should give the same answer when the rows come as instances', async () => {
      const records = await predict(model, { inputs: [row(3)] })
        .set('cache-control', 'no-cache')
        .expect(200);
      const arrays = await predict(model, { instances: [instance(3)] })
        .set('cache-control', 'no-cache')
        .expect(200);
      expect(arrays.body.predictions).toEqual(records.body.predictions);
    });

    it('should answer from the result cache when the same input comes again, unless no-cache is asked', async () => {
      const body = { inputs: [row(42)] };
      expect((await predict(model, body).expect(200)).body.cached).toBe(false);
      expect((await predict(model, body).expect(200)).body.cached).toBe(true);
      expect((await predict(model, { inputs: [{ ...row(42) }] }).expect(200)).body.cached).toBe(true);
      expect((await predict(model, body).set('cache-control', 'no-cache').expect(200)).body.cached).toBe(false);
    });

    it('should name the row and feature when a feature is missing, extra, mistyped or infinite', async () => {
      const bad = [
        { ...row(1), f3: 'x' },
        { ...row(2), extra: 1 },
        Object.fromEntries(Object.entries(row(3)).slice(1)),
      ];
      const res = await predict(model, { inputs: bad }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('INVALID_INPUT');
      expect(
        res.body.errors.map((e: { row: number; feature: string; code: string }) => `${e.row}:${e.feature}:${e.code}`),
      ).toEqual(['0:f3:NOT_A_NUMBER', '1:extra:UNKNOWN_FEATURE', '2:f0:MISSING_FEATURE']);
      const inf = await t.http
        .post(`/api/v1/models/${model}/predict`)
        .set(predictKey)
        .set('content-type', 'application/json')
        .send(`{"instances": [[${Array(15).fill(0).join(',')}, 1e999]]}`)
        .expect(400);
      expect(inf.body.errors[0]).toMatchObject({ row: 0, code: 'NOT_FINITE' });
      const short = await predict(model, { instances: [[1, 2, 3]] }).expect(400);
      expect(short.body.errors[0]).toMatchObject({ row: 0, code: 'WRONG_ROW_LENGTH' });
    });

    it('should name the row and feature when a value is past float32 range, with or without the cache', async () => {
      const huge = [...instance(1).slice(0, 15), 1e39];
      for (const cache of ['no-cache', '']) {
        const res = await predict(model, { instances: [instance(2), huge] })
          .set('cache-control', cache)
          .expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ row: 1, feature: 'f15', code: 'OUT_OF_RANGE' })]);
      }
      const records = await predict(model, { inputs: [{ ...row(1), f4: -1e39 }] }).expect(400);
      expect(records.body.errors).toEqual([expect.objectContaining({ row: 0, feature: 'f4', code: 'OUT_OF_RANGE' })]);
    });

    it('should answer 400 MALFORMED_JSON when the body is empty, broken or carries __proto__', async () => {
      const values = instance(1).join(',');
      for (const text of ['', `{"instances": [[${values}]]`, `{"__proto__": {"x": 1}, "instances": [[${values}]]}`]) {
        const res = await t.http
          .post(`/api/v1/models/${model}/predict`)
          .set(predictKey)
          .set('cache-control', 'no-cache')
          .set('content-type', 'application/json')
          .send(text)
          .expect(400);
        expect(res.body.code).toBe('MALFORMED_JSON');
      }
    });

    it('should give the same answer when instances are read from the text as when they are parsed', async () => {
      const text = `{ "instances" : [ [${instance(7).join(' , ')}] ,\n[${instance(8).join(',')}] ] }`;
      const send = (cache: string) =>
        t.http
          .post(`/api/v1/models/${model}/predict`)
          .set(predictKey)
          .set('cache-control', cache)
          .set('content-type', 'application/json')
          .send(text)
          .expect(200);
      const read = await send('no-cache');
      const parsed = await send('');
      expect(read.body.predictions).toHaveLength(2);
      expect(read.body.predictions).toEqual(parsed.body.predictions);
    });

    it('should answer 413 TOO_MANY_ROWS when the request has more rows than allowed', async () => {
      const res = await predict(model, { instances: Array.from({ length: 601 }, (_, i) => instance(i)) }).expect(413);
      expect(res.body.code).toBe('TOO_MANY_ROWS');
    });

    it('should answer 404 NO_PRODUCTION_VERSION when the model has no production alias', async () => {
      const bare = (await createModel(t)).name;
      await createVersion(t, bare, MLP, { features: features16() });
      const res = await predict(bare, { inputs: [row(1)] }).expect(404);
      expect(res.body.code).toBe('NO_PRODUCTION_VERSION');
      const byVersion = await predict(bare, { inputs: [row(1)] }, '?version=1').expect(200);
      expect(byVersion.headers['x-model-version']).toBe('1');
    });

    it('should serve the version an alias points at when ?alias is given', async () => {
      await t.http.put(`/api/v1/models/${model}/aliases/validation`).set(t.admin).send({ version: 1 }).expect(200);
      const res = await predict(model, { inputs: [row(5)] }, '?alias=validation').expect(200);
      expect(res.body.version).toBe(1);
      await predict(model, { inputs: [row(5)] }, '?alias=nope').expect(404);
      await predict(model, { inputs: [row(5)] }, '?version=99').expect(404);
    });

    it('should answer 400 naming the parameter when version or alias is malformed or both are given', async () => {
      const bad = await predict(model, { inputs: [row(1)] }, '?version=abc').expect(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'version' }] });
      const both = await predict(model, { inputs: [row(1)] }, '?version=1&alias=production').expect(400);
      expect(both.body.errors[0].field).toBe('alias');
    });

    it('should answer 403 when the key lacks the predict scope', async () => {
      await t.http
        .post(`/api/v1/models/${model}/predict`)
        .set(readKey)
        .send({ inputs: [row(1)] })
        .expect(403);
    });

    it('should give each concurrent caller its own rows when requests are merged into one run', async () => {
      // A model whose run takes a while, and two large requests that fill both of its runs in flight (batches go
      // up to 512 rows for this version, so they go through the batcher): the small requests sent meanwhile wait,
      // and share the next run.
      const name = (await createModel(t)).name;
      await createVersion(t, name, slowPath, { features: features16(), batching: { maxBatchSize: 512 } });
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      const bodies = Array.from({ length: 24 }, (_, i) => ({ instances: [instance(100 + i)] }));
      const alone = [];
      for (const b of bodies)
        alone.push((await predict(name, b).set('cache-control', 'no-cache').expect(200)).body.predictions[0]);
      const before = (await t.http.get('/metrics')).text;
      const since = async (metric: string) =>
        metricValue((await t.http.get('/metrics')).text, metric, `model="${name}"`) -
        metricValue(before, metric, `model="${name}"`);
      const large = { instances: Array.from({ length: 300 }, (_, i) => instance(i)) };
      const busy = [1, 2].map(() =>
        predict(name, large)
          .set('cache-control', 'no-cache')
          .expect(200)
          .then((r) => r),
      );
      await waitFor(async () => (await since('inference_batch_rows_count')) >= 2 || undefined, 'two large runs');
      const merged = await Promise.all(
        bodies.map((b) => predict(name, b).set('cache-control', 'no-cache').expect(200)),
      );
      await Promise.all(busy);
      expect(merged.map((r) => r.body.predictions[0])).toEqual(alone);
      expect(await since('inference_batch_rows_sum')).toBe(624);
      expect(await since('inference_batch_rows_count')).toBeLessThan(26);
    });

    it('should count every answer by api, model, version and status when requests succeed or fail', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, logisticPath, { features: features16() });
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      const count = async (labels: string) =>
        metricValue((await t.http.get('/metrics')).text, 'inference_requests_total', labels);
      const unknownBefore = await count('api="predict",model="",version="",status="404"');
      await predict(name, { instances: [instance(1)] }).expect(200);
      await predict(name, { instances: [instance(2)] }).expect(200);
      await predict(name, { instances: [[1, 2]] }).expect(400);
      await predict(`${name}-nope`, { instances: [instance(1)] }).expect(404);
      await t.http
        .post(`/v2/models/${name}/infer`)
        .set(predictKey)
        .send({ inputs: [{ name: 'input', shape: [1, 16], datatype: 'FP32', data: instance(3) }] })
        .expect(200);
      expect(await count(`api="predict",model="${name}",version="1",status="200"`)).toBe(2);
      expect(await count(`api="predict",model="${name}",version="1",status="400"`)).toBe(1);
      expect(await count(`api="oip",model="${name}",version="1",status="200"`)).toBe(1);
      expect((await count('api="predict",model="",version="",status="404"')) - unknownBefore).toBe(1);
    });

    it('should load a cold version once when many requests ask for it at the same moment', async () => {
      const cold = (await createModel(t)).name;
      await createVersion(t, cold, MLP, { features: features16() });
      await t.http.post(`/api/v1/models/${cold}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      const loads = async () =>
        metricValue((await t.http.get('/metrics')).text, 'inference_model_cache_events_total', 'event="loads"');
      const before = await loads();
      await Promise.all(Array.from({ length: 16 }, (_, i) => predict(cold, { instances: [instance(i)] }).expect(200)));
      expect((await loads()) - before).toBe(1);
    });

    it('should resolve a route once when many requests ask for a model not served yet at the same moment', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, logisticPath, { features: features16() });
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      const resolve = jest.spyOn(t.app.get(RegistryService), 'resolve');
      try {
        await Promise.all(
          Array.from({ length: 16 }, (_, i) => predict(name, { instances: [instance(i)] }).expect(200)),
        );
        // Requests ask with no reference ({}); the periodic refresh asks for the alias by name.
        expect(resolve.mock.calls.filter(([asked, ref]) => asked === name && !ref?.alias)).toHaveLength(1);
      } finally {
        resolve.mockRestore();
      }
    });

    it('should keep serving its routes when the refresh cannot reach the registry', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, logisticPath, { features: features16() });
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      await predict(name, { instances: [instance(1)] }).expect(200);
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const stamps = jest
        .spyOn(t.app.get(RegistryService), 'resolutionStamps')
        .mockRejectedValue(new Error('the database is down'));
      try {
        await waitFor(() => Promise.resolve(stamps.mock.calls.length >= 3 || undefined), 'three refreshes');
        await predict(name, { instances: [instance(2)] }).expect(200);
        expect(unhandled).toEqual([]);
      } finally {
        stamps.mockRestore();
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('should retry on the previous production version and say so when production fails', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, logisticPath, { features: features16() });
      await createVersion(t, name, brokenPath, { features: features16() });
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 2 }).expect(200);
      const res = await predict(name, { instances: [instance(1)] }).expect(200);
      expect(res.body.fallback).toEqual({ fromVersion: 2, toVersion: 1, reason: 'error' });
      expect(res.body.version).toBe(1);
      expect(res.headers['x-model-version']).toBe('1');
      const metrics = (await t.http.get('/metrics')).text;
      expect(metricValue(metrics, 'inference_fallbacks_total', `model="${name}"`)).toBe(1);
    });

    it('should answer 503 INFERENCE_FAILED without a fallback when a version asked for by number fails', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, brokenPath, { features: features16() });
      const res = await predict(name, { instances: [instance(1)] }, '?version=1').expect(503);
      expect(res.body.code).toBe('INFERENCE_FAILED');
    });

    it('should serve the new target after an alias moves, once it is loaded', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, MLP, { features: features16() });
      await createVersion(t, name, logisticPath, { features: features16() });
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      await predict(name, { inputs: [row(1)] }).expect(200);
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 2 }).expect(200);
      await waitFor(async () => {
        const r = await predict(name, { inputs: [row(1)] }).set('cache-control', 'no-cache');
        return r.headers['x-model-version'] === '2' || undefined;
      }, 'production to move to version 2');
    });

    it('should serve the new version through latest after an upload, and stop serving once archived', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, logisticPath, { features: features16() });
      await predict(name, { inputs: [row(1)] }, '?alias=latest').expect(200);
      await createVersion(t, name, logisticPath, { features: features16() });
      await waitFor(async () => {
        const r = await predict(name, { inputs: [row(1)] }, '?alias=latest').set('cache-control', 'no-cache');
        return r.headers['x-model-version'] === '2' || undefined;
      }, 'latest to move to version 2');
      await predict(name, { inputs: [row(1)] }, '?version=1').expect(200);
      await t.http.delete(`/api/v1/models/${name}`).set(t.admin).expect(204);
      await waitFor(async () => {
        const r = await predict(name, { inputs: [row(1)] }, '?version=1').set('cache-control', 'no-cache');
        return r.body.code === 'MODEL_ARCHIVED' || undefined;
      }, 'the archived model to stop serving');
    });
  });

  describe('Open Inference Protocol v2', () => {
    const infer = (name: string, body: object, version = '') =>
      t.http
        .post(`/v2/models/${name}${version ? `/versions/${version}` : ''}/infer`)
        .set(predictKey)
        .send(body);
    const tensor = (data: unknown, shape = [1, 16], datatype = 'FP32') => ({
      inputs: [{ name: 'input', shape, datatype, data }],
    });

    it('should answer server metadata and health without a key', async () => {
      const meta = await t.http.get('/v2').expect(200);
      expect(meta.body).toMatchObject({
        name: expect.any(String),
        version: expect.any(String),
        extensions: expect.any(Array),
      });
      await t.http.get('/v2/health/live').expect(200);
      await t.http.get('/v2/health/ready').expect(200);
    });

    it('should describe the model inputs and outputs when metadata is asked', async () => {
      const res = await t.http.get(`/v2/models/${model}`).set(readKey).expect(200);
      expect(res.body).toEqual({
        name: model,
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 16] }],
        outputs: [
          { name: 'label', datatype: 'INT64', shape: [-1] },
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        ],
      });
      await t.http.get(`/v2/models/${model}/versions/1`).set(readKey).expect(200);
    });

    it('should answer ready for a model version that can serve', async () => {
      expect((await t.http.get(`/v2/models/${model}/ready`).set(readKey).expect(200)).body).toEqual({
        name: model,
        ready: true,
      });
      await t.http.get(`/v2/models/${model}/versions/1/ready`).set(readKey).expect(200);
    });

    it('should echo the id and give the same outputs when data is nested or flat', async () => {
      const flat = await infer(model, { id: '42', ...tensor(instance(1)) }).expect(200);
      const nested = await infer(model, tensor([instance(1)])).expect(200);
      expect(flat.body).toMatchObject({ id: '42', model_name: model, model_version: '1' });
      expect(nested.body.id).toBeUndefined();
      expect(nested.body.outputs).toEqual(flat.body.outputs);
      for (const o of flat.body.outputs)
        expect(o).toEqual({
          name: expect.any(String),
          shape: expect.any(Array),
          datatype: expect.any(String),
          data: expect.any(Array),
        });
    });

    it('should return only the requested outputs when outputs are named', async () => {
      const res = await infer(model, { ...tensor(instance(1)), outputs: [{ name: 'probabilities' }] }, '1').expect(200);
      expect(res.body.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities']);
    });

    it('should answer 400 with an error member for a wrong datatype, shape, element count or missing input', async () => {
      for (const body of [
        tensor(instance(1), [1, 16], 'INT64'),
        tensor(instance(1).concat(instance(2)), [2, 8]),
        tensor(instance(1).slice(1)),
        { inputs: [] },
        { inputs: [{ name: 'input', shape: [1, 16], data: instance(1) }] },
      ]) {
        const res = await infer(model, body).expect(400);
        expect(res.body.error).toEqual(expect.any(String));
      }
      const malformed = await t.http
        .post(`/v2/models/${model}/infer`)
        .set(predictKey)
        .set('content-type', 'application/json')
        .send('{"inputs": [')
        .expect(400);
      expect(malformed.body.error).toEqual(expect.any(String));
    });

    it('should answer 404 with an error member for an unknown model or version', async () => {
      expect((await infer('no-such-model', tensor(instance(1))).expect(404)).body.error).toEqual(expect.any(String));
      expect((await infer(model, tensor(instance(1)), '99').expect(404)).body.error).toEqual(expect.any(String));
      expect((await t.http.get('/v2/models/no-such-model').set(readKey).expect(404)).body.error).toEqual(
        expect.any(String),
      );
    });

    it('should answer errors with only an error member when the route is under /v2', async () => {
      const answers = [
        await infer('no-such-model', tensor(instance(1))).expect(404),
        await infer(model, tensor(instance(1), [1, 16], 'INT64')).expect(400),
        await t.http
          .post(`/v2/models/${model}/infer`)
          .send(tensor(instance(1)))
          .expect(401),
        await t.http
          .post(`/v2/models/${model}/infer`)
          .set(predictKey)
          .set('content-type', 'application/json')
          .send('{"inputs": [')
          .expect(400),
        await t.http.post('/v2/repository/index').set(readKey).send({ ready: 'yes' }).expect(400),
      ];
      for (const res of answers) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({ error: expect.any(String) });
      }
    });

    it('should answer 404 when the version is not a number or the name cannot be a model', async () => {
      await infer(model, tensor(instance(1)), 'latest').expect(404);
      await infer(model, tensor(instance(1)), '0').expect(404);
      await infer('Not_A.Model', tensor(instance(1))).expect(404);
      for (const path of [
        `/v2/models/${model}/versions/abc`,
        `/v2/models/${model}/versions/x1/ready`,
        '/v2/models/Bad.Name',
      ]) {
        expect((await t.http.get(path).set(readKey).expect(404)).body).toEqual({ error: expect.any(String) });
      }
      await t.http.post('/v2/repository/models/Bad.Name/load').set(t.admin).expect(404);
    });

    it('should answer BOOL outputs as booleans and refuse integers out of range when the model takes integers', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, typedPath);
      await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
      const ints = (data: number[]) => tensor(data, [1, 2], 'INT32');
      const res = await infer(name, ints([0, -3])).expect(200);
      expect(res.body.outputs).toEqual([
        { name: 'wide', shape: [1, 2], datatype: 'INT64', data: [0, -3] },
        { name: 'flag', shape: [1, 2], datatype: 'BOOL', data: [false, true] },
      ]);
      expect((await infer(name, ints([2 ** 40, 1])).expect(400)).body.error).toMatch(/outside the range of INT32/);
      await infer(name, ints([-(2 ** 31) - 1, 1])).expect(400);
    });

    it('should answer 400, not 500, when the shape is huge or the data is nested deeper than the shape', async () => {
      expect((await infer(model, tensor(instance(1), [1e9, 16])).expect(400)).body.error).toMatch(/16 elements/);
      const deep = `${'['.repeat(20000)}1${']'.repeat(20000)}`;
      const res = await t.http
        .post(`/v2/models/${model}/infer`)
        .set(predictKey)
        .set('content-type', 'application/json')
        .send(`{"inputs": [{"name": "input", "shape": [1, 16], "datatype": "FP32", "data": ${deep}}]}`)
        .expect(400);
      expect(res.body.error).toMatch(/nested deeper/);
    });

    it('should answer 500 with the model error when the model fails to run the tensors', async () => {
      const name = (await createModel(t)).name;
      await createVersion(t, name, brokenPath, { features: features16() });
      const res = await infer(name, tensor(instance(1)), '1').expect(500);
      expect(res.body).toEqual({ error: expect.stringMatching(/^The model failed to run/) });
    });

    it('should list, unload and load models through the repository extension', async () => {
      const index = await t.http.post('/v2/repository/index').set(readKey).send({}).expect(200);
      expect(index.body).toEqual(expect.arrayContaining([{ name: model, version: '1', state: 'READY', reason: '' }]));
      await t.http.post(`/v2/repository/models/${model}/unload`).set(t.admin).expect(200);
      const after = await t.http.post('/v2/repository/index').set(readKey).send({ ready: false }).expect(200);
      expect(after.body.map((e: { name: string }) => e.name)).toContain(model);
      await t.http.post(`/v2/repository/models/${model}/load`).set(t.admin).expect(200);
      const ready = await t.http.post('/v2/repository/index').set(readKey).send({ ready: true }).expect(200);
      expect(ready.body.map((e: { name: string }) => e.name)).toContain(model);
    });
  });
});

describe('inference timeouts', () => {
  let t: TestApp;
  let key: { authorization: string };
  const tmp = makeTempDir('inference-timeout-');
  let logisticPath: string;
  let slowPath: string;
  // 600 rows through the slow model take about 60 ms on this machine, three times the timeout (more on a slower
  // one); the same rows through the logistic model take well under a millisecond.
  const rows = Array.from({ length: 600 }, (_, i) => instance(i));

  beforeAll(async () => {
    [logisticPath, , , slowPath] = fixtures.writeAll(join(tmp.path, 'models'));
    t = await createTestApp({ env: { INFERENCE_TIMEOUT_MS: '20', MAX_ROWS_PER_REQUEST: '600' } });
    key = (await createApiKey(t, { scopes: ['predict'] })).headers;
  });

  afterAll(async () => {
    await t.close();
    tmp.remove();
  });

  it('should retry on the previous production version when production times out', async () => {
    const name = (await createModel(t)).name;
    await createVersion(t, name, logisticPath, { features: features16() });
    await createVersion(t, name, slowPath, { features: features16() });
    await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
    await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 2 }).expect(200);
    const res = await t.http.post(`/api/v1/models/${name}/predict`).set(key).send({ instances: rows }).expect(200);
    expect(res.body.fallback).toEqual({ fromVersion: 2, toVersion: 1, reason: 'timeout' });
    expect(res.body.predictions).toHaveLength(600);
  });

  it('should answer 503 INFERENCE_TIMEOUT when a version asked for by number times out', async () => {
    const name = (await createModel(t)).name;
    await createVersion(t, name, slowPath, { features: features16() });
    const res = await t.http
      .post(`/api/v1/models/${name}/predict?version=1`)
      .set(key)
      .send({ instances: rows })
      .expect(503);
    expect(res.body.code).toBe('INFERENCE_TIMEOUT');
  });
});
