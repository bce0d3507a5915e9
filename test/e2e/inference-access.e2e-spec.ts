import { randomBytes } from 'node:crypto';
import { Scope, SCOPES } from 'src/platform/auth';
import { DirectRoutes } from 'src/platform/http/direct-routes';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, LOGREG } from '../factories/model.factory';
import { DeclaredRoute, declaredRoutes } from '../support/routes';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

const instance = Array.from({ length: 16 }, (_, i) => i / 16);
const predictBody = { instances: [instance] };
const inferBody = { inputs: [{ name: 'input', shape: [1, 16], datatype: 'FP32', data: instance }] };
/** Every scope but admin: the other owner may do anything a key can, except see past ownership. */
const ALL_BUT_ADMIN = SCOPES.filter((s): s is Exclude<Scope, 'admin'> => s !== 'admin');

/** A body that would succeed on the route for a model the caller may use, so that a refusal means the model. */
function bodyFor(path: string): object {
  if (path.endsWith('/predict')) return predictBody;
  if (path.endsWith('/infer')) return inferBody;
  return {};
}

function fill(path: string, name: string): string {
  return path.replace(':name', name).replace(':version', '1').replace(':alias', 'production').replace(/:\w+/g, 'x');
}

/** The answer with the model's name and the request id taken out, so two models' answers can be compared. */
function normalise(answer: Answer, name: string): { status: number; body: unknown } {
  const text = answer.text.split(name).join('<model>');
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: compared as text.
  }
  if (body && typeof body === 'object' && 'requestId' in body) delete (body as { requestId?: string }).requestId;
  return { status: answer.status, body };
}

describe('private models on the inference routes', () => {
  let t: TestApp;
  let base: string;
  let owner: CreatedKey;
  let other: CreatedKey;
  let privateModel: string;
  let publicModel: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { ALIAS_REFRESH_MS: '100' } });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    owner = await createApiKey(t, { scopes: [...ALL_BUT_ADMIN] });
    other = await createApiKey(t, { scopes: [...ALL_BUT_ADMIN] });
    privateModel = (await createModel(t, owner.headers, { visibility: 'private' })).name;
    publicModel = (await createModel(t, owner.headers)).name;
    for (const name of [privateModel, publicModel]) {
      await createVersion(t, name, LOGREG, { features: features16() }, owner.headers);
      await t.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    }
  });

  afterAll(async () => {
    await t.close();
  });

  /** Whole (with Content-Length: the direct path takes lean routes) or streamed in chunks (always Fastify). */
  async function send(method: string, path: string, key: CreatedKey, body?: object, chunked = false): Promise<Answer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...key.headers, ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: text === undefined ? undefined : chunked ? new Blob([text]).stream() : text,
      ...(chunked ? { duplex: 'half' } : {}),
    });
    const answer = await res.text();
    let parsed: unknown = answer;
    try {
      parsed = JSON.parse(answer) as unknown;
    } catch {
      // Not JSON.
    }
    return { status: res.status, body: parsed, text: answer };
  }

  /** Each way a route can be called: POST routes on both paths, the others once. */
  async function call(route: DeclaredRoute, name: string, key: CreatedKey): Promise<Answer[]> {
    const path = fill(route.path, name);
    if (route.method === 'GET' || route.method === 'DELETE') return [await send(route.method, path, key)];
    const body = bodyFor(route.path);
    return [await send(route.method, path, key, body), await send(route.method, path, key, body, true)];
  }

  const routesOf = (): DeclaredRoute[] => {
    const routes = declaredRoutes(t.app);
    return routes.filter((r) => r.path.startsWith('/v2') || r.path.startsWith('/api/v1/models/:name'));
  };

  it('should answer another owner exactly as for a model that does not exist, on every route, when the model is private', async () => {
    const routes = routesOf();
    // The walk covers the inference routes (a guard against a walk that silently finds nothing).
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/models/:name/predict',
        'GET /v2/models/:name',
        'GET /v2/models/:name/versions/:version',
        'GET /v2/models/:name/ready',
        'GET /v2/models/:name/versions/:version/ready',
        'POST /v2/models/:name/infer',
        'POST /v2/models/:name/versions/:version/infer',
        'POST /v2/repository/index',
        'POST /v2/repository/models/:name/load',
        'POST /v2/repository/models/:name/unload',
      ]),
    );
    // The owner is served, so the bodies sent are good ones.
    expect((await send('POST', `/api/v1/models/${privateModel}/predict`, owner, predictBody)).status).toBe(200);
    expect((await send('POST', `/v2/models/${privateModel}/infer`, owner, inferBody)).status).toBe(200);

    const missing = `no-such-${randomBytes(4).toString('hex')}`;
    const leaks: string[] = [];
    const take = jest.spyOn(DirectRoutes.prototype, 'take');
    for (const route of routes) {
      const label = `${route.method} ${route.path}`;
      const seen = await call(route, privateModel, other);
      if (!route.path.includes(':name')) {
        for (const answer of seen) if (answer.text.includes(privateModel)) leaks.push(`${label}: names the model`);
        continue;
      }
      const unknown = await call(route, missing, other);
      seen.forEach((answer, i) => {
        const got = normalise(answer, privateModel);
        const expected = normalise(unknown[i], missing);
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          leaks.push(`${label}: ${JSON.stringify(got)} instead of ${JSON.stringify(expected)}`);
        }
      });
    }
    expect(leaks).toEqual([]);
    // Both paths were walked: the lean routes' whole bodies went the direct way, the rest through Fastify.
    expect(new Set(take.mock.results.map((r) => r.value as boolean))).toEqual(new Set([true, false]));
    take.mockRestore();
  });

  it('should answer 404 MODEL_NOT_FOUND, not what it found, when another owner asks for a missing version or alias', async () => {
    const bare = (await createModel(t, owner.headers, { visibility: 'private' })).name;
    await createVersion(t, bare, LOGREG, { features: features16() }, owner.headers);
    for (const [method, path, body] of [
      ['POST', `/api/v1/models/${bare}/predict`, predictBody],
      ['POST', `/api/v1/models/${privateModel}/predict?version=99`, predictBody],
      ['POST', `/api/v1/models/${privateModel}/predict?alias=nope`, predictBody],
      ['GET', `/v2/models/${bare}`],
      ['GET', `/v2/models/${privateModel}/versions/99`],
    ] as Array<[string, string, object?]>) {
      const mine = await send(method, path, owner, body);
      expect([path, mine.status]).toEqual([path, 404]);
      expect(JSON.stringify(mine.body)).not.toContain('No model named');
      const res = await send(method, path, other, body);
      expect([path, res.status]).toEqual([path, 404]);
      expect(JSON.stringify(res.body)).toContain('No model named');
    }
  });

  it('should answer 404 with an error member on the protocol routes when another owner asks for a private model', async () => {
    for (const [method, path, body] of [
      ['GET', `/v2/models/${privateModel}`],
      ['GET', `/v2/models/${privateModel}/versions/1`],
      ['GET', `/v2/models/${privateModel}/ready`],
      ['POST', `/v2/models/${privateModel}/infer`, inferBody],
      ['POST', `/v2/repository/models/${privateModel}/load`],
      ['POST', `/v2/repository/models/${privateModel}/unload`],
    ] as Array<[string, string, object?]>) {
      const res = await send(method, path, other, body);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body).toEqual({ error: `No model named ${privateModel}.` });
    }
  });

  it('should not answer another owner from the result cache when the owner computed the result', async () => {
    const first = await send('POST', `/api/v1/models/${privateModel}/predict`, owner, predictBody);
    const again = await send('POST', `/api/v1/models/${privateModel}/predict`, owner, predictBody);
    expect((again.body as { cached: boolean }).cached).toBe(true);
    expect(first.status).toBe(200);
    const res = await send('POST', `/api/v1/models/${privateModel}/predict`, other, predictBody);
    expect(res.status).toBe(404);
    expect((res.body as { code: string }).code).toBe('MODEL_NOT_FOUND');
  });

  it('should list a private model in the repository index for its owner and an admin only', async () => {
    const names = async (key: CreatedKey | { headers: { authorization: string } }) =>
      (
        (await t.http.post('/v2/repository/index').set(key.headers).send({}).expect(200)).body as { name: string }[]
      ).map((e) => e.name);
    expect(await names(owner)).toEqual(expect.arrayContaining([privateModel, publicModel]));
    expect(await names({ headers: t.admin })).toEqual(expect.arrayContaining([privateModel, publicModel]));
    const seen = await names(other);
    expect(seen).toContain(publicModel);
    expect(seen).not.toContain(privateModel);
  });

  it('should refuse load and unload with 403 NOT_MODEL_OWNER when another owner asks for a public model', async () => {
    for (const action of ['load', 'unload']) {
      const res = await send('POST', `/v2/repository/models/${publicModel}/${action}`, other);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: expect.stringContaining(publicModel) });
    }
    await t.http.post(`/v2/repository/models/${publicModel}/load`).set(owner.headers).expect(200);
    await t.http.post(`/v2/repository/models/${privateModel}/unload`).set(t.admin).expect(200);
  });

  it('should hide a model from another owner once it is made private, after it was served to them', async () => {
    const name = (await createModel(t, owner.headers)).name;
    await createVersion(t, name, LOGREG, { features: features16() }, owner.headers);
    await t.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    expect((await send('POST', `/api/v1/models/${name}/predict`, other, predictBody)).status).toBe(200);
    await t.http.patch(`/api/v1/models/${name}`).set(owner.headers).send({ visibility: 'private' }).expect(200);
    await waitFor(
      async () => (await send('POST', `/api/v1/models/${name}/predict`, other, predictBody)).status === 404,
      'the model to be hidden from the other owner',
    );
    expect((await send('GET', `/v2/models/${name}`, other)).status).toBe(404);
  });
});

describe('protocol readiness after unload', () => {
  let t: TestApp;
  let model: string;

  beforeAll(async () => {
    t = await createTestApp();
    model = (await createModel(t)).name;
    await createVersion(t, model, LOGREG, { features: features16() });
    await t.http.post(`/api/v1/models/${model}/promote`).set(t.admin).send({ version: 1 }).expect(200);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer not ready after unload until the model is loaded again', async () => {
    await t.http.get(`/v2/models/${model}/ready`).set(t.admin).expect(200);
    const unloaded = await t.http.post(`/v2/repository/models/${model}/unload`).set(t.admin).expect(200);
    expect(unloaded.body).toMatchObject({ name: model, reloadsOnDemand: true });
    for (const path of [`/v2/models/${model}/ready`, `/v2/models/${model}/versions/1/ready`]) {
      const res = await t.http.get(path).set(t.admin).expect(503);
      expect(res.body).toEqual({ error: expect.stringContaining('unloaded') });
    }
    const index = await t.http.post('/v2/repository/index').set(t.admin).send({ ready: false }).expect(200);
    expect(index.body.map((e: { name: string }) => e.name)).toContain(model);
    await t.http.post(`/v2/repository/models/${model}/load`).set(t.admin).expect(200);
    expect((await t.http.get(`/v2/models/${model}/ready`).set(t.admin).expect(200)).body).toEqual({
      name: model,
      ready: true,
    });
  });

  it('should answer ready again once a request has loaded the unloaded production version on demand', async () => {
    await t.http.post(`/v2/repository/models/${model}/unload`).set(t.admin).expect(200);
    await t.http.get(`/v2/models/${model}/ready`).set(t.admin).expect(503);
    await t.http.post(`/api/v1/models/${model}/predict`).set(t.admin).send(predictBody).expect(200);
    await t.http.get(`/v2/models/${model}/ready`).set(t.admin).expect(200);
  });
});
