import { DirectRoutes } from 'src/platform/http/direct-routes';
import { createApiKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, LOGREG } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const instances = JSON.stringify({ instances: [Array.from({ length: 16 }, (_, i) => i / 16)] });

/**
 * The lean routes answer the same on the direct path as on Fastify. A body sent whole (with Content-Length) takes
 * the direct path; the same body streamed in chunks (no Content-Length) is left to Fastify.
 */
describe('the direct path of the lean routes', () => {
  let t: TestApp;
  let base: string;
  let model: string;
  let predictKey: { authorization: string };
  let taken: boolean[];

  beforeAll(async () => {
    t = await createTestApp({ env: { LARGE_BODY_LIMIT_BYTES: '65536' } });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    predictKey = (await createApiKey(t, { scopes: ['predict'] })).headers;
    model = (await createModel(t)).name;
    await createVersion(t, model, LOGREG, { features: features16() });
    await t.http.post(`/api/v1/models/${model}/promote`).set(t.admin).send({ version: 1 }).expect(200);
  });

  beforeEach(() => {
    taken = [];
    const take = DirectRoutes.prototype.take;
    jest.spyOn(DirectRoutes.prototype, 'take').mockImplementation(function (this: DirectRoutes, req, res) {
      const result = take.call(this, req, res);
      taken.push(result);
      return result;
    });
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await t.close();
  });

  async function send(path: string, headers: Record<string, string>, body: string, chunked: boolean): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: chunked ? new Blob([body]).stream() : body,
      ...(chunked ? { duplex: 'half' } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  /** The same request on both paths; checks which path each took. */
  async function both(path: string, headers: Record<string, string>, body: string): Promise<[Answer, Answer]> {
    const direct = await send(path, headers, body, false);
    const fastify = await send(path, headers, body, true);
    expect(taken).toEqual([true, false]);
    return [direct, fastify];
  }

  const withoutRequestId = ({ requestId: _requestId, ...rest }: Record<string, unknown>) => rest;

  it('should give the answer Fastify gives when a predict succeeds', async () => {
    const noCache = { ...predictKey, 'cache-control': 'no-cache' };
    const [direct, fastify] = await both(`/api/v1/models/${model}/predict`, noCache, instances);
    expect(direct.status).toBe(200);
    expect(withoutRequestId(direct.body)).toEqual(withoutRequestId(fastify.body));
    expect(direct.body.requestId).toBe(direct.headers.get('x-request-id'));
    for (const header of ['content-type', 'x-model-version']) {
      expect(direct.headers.get(header)).toBe(fastify.headers.get(header));
    }
  });

  it('should give the answer Fastify gives when a predict is a cache hit, with its own request id', async () => {
    const body = JSON.stringify({ instances: [Array.from({ length: 16 }, (_, j) => j / 7)] });
    const path = `/api/v1/models/${model}/predict`;
    const first = await send(path, predictKey, body, false);
    expect(first.body.cached).toBe(false);
    taken = [];
    const [direct, fastify] = await both(path, predictKey, body);
    expect(direct.body.cached).toBe(true);
    expect(fastify.body.cached).toBe(true);
    expect(withoutRequestId(direct.body)).toEqual(withoutRequestId(fastify.body));
    expect(withoutRequestId(direct.body)).toEqual({ ...withoutRequestId(first.body), cached: true });
    for (const answer of [direct, fastify]) expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    expect(direct.body.requestId).not.toBe(fastify.body.requestId);
    for (const header of ['content-type', 'x-model-version']) {
      expect(direct.headers.get(header)).toBe(fastify.headers.get(header));
    }
  });

  it('should keep the caller X-Request-Id when it is a sane token', async () => {
    const direct = await send(
      `/api/v1/models/${model}/predict`,
      { ...predictKey, 'x-request-id': 'trace-42' },
      instances,
      false,
    );
    expect(direct.headers.get('x-request-id')).toBe('trace-42');
    expect(direct.body.requestId).toBe('trace-42');
  });

  it('should give the problem document Fastify gives when the JSON is malformed', async () => {
    const [direct, fastify] = await both(`/api/v1/models/${model}/predict`, predictKey, '{"instances": [[1, 2,');
    expect(direct.status).toBe(400);
    expect(direct.headers.get('content-type')).toBe(fastify.headers.get('content-type'));
    expect(withoutRequestId(direct.body)).toEqual(withoutRequestId(fastify.body));
  });

  it('should give the protocol error Fastify gives when an inference protocol body is malformed', async () => {
    const [direct, fastify] = await both(`/v2/models/${model}/infer`, predictKey, '{"inputs": [');
    expect(direct.status).toBe(400);
    expect(direct.body).toEqual(fastify.body);
    expect(Object.keys(direct.body)).toEqual(['error']);
  });

  it('should answer 404 as Fastify does when the model does not exist', async () => {
    const [direct, fastify] = await both('/api/v1/models/no-such-model/predict', predictKey, instances);
    expect(direct.status).toBe(404);
    expect(withoutRequestId(direct.body)).toEqual(withoutRequestId(fastify.body));
  });

  it('should answer 401 with a challenge as Fastify does when the key is unknown', async () => {
    const [direct, fastify] = await both(
      `/api/v1/models/${model}/predict`,
      { authorization: 'Bearer dok_unknown' },
      instances,
    );
    expect(direct.status).toBe(401);
    expect(direct.body.code).toBe('API_KEY_INVALID');
    expect(direct.headers.get('www-authenticate')).toBe(fastify.headers.get('www-authenticate'));
    expect(direct.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('should answer 403 INSUFFICIENT_SCOPE when the key lacks the predict scope', async () => {
    const reader = (await createApiKey(t, { scopes: ['models:read'] })).headers;
    taken.length = 0;
    const [direct, fastify] = await both(`/api/v1/models/${model}/predict`, reader, instances);
    expect(direct.status).toBe(403);
    expect(withoutRequestId(direct.body)).toEqual(withoutRequestId(fastify.body));
  });

  it('should leave a request to Fastify when it has no API key or is not JSON', async () => {
    const anonymous = await send(`/api/v1/models/${model}/predict`, {}, instances, false);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('API_KEY_MISSING');
    const text = await send(
      `/api/v1/models/${model}/predict`,
      { ...predictKey, 'content-type': 'text/plain' },
      'x',
      false,
    );
    expect(text.status).toBe(415);
    expect(taken).toEqual([false, false]);
  });

  it('should leave a body over the route limit to Fastify, which answers 413', async () => {
    const big = JSON.stringify({ instances: [[1]], pad: 'x'.repeat(t.config.LARGE_BODY_LIMIT_BYTES) });
    const res = await send(`/api/v1/models/${model}/predict`, predictKey, big, false);
    expect(res.status).toBe(413);
    expect(taken).toEqual([false]);
  });

  it('should count direct requests in the HTTP metrics under the route pattern', async () => {
    const count = async (): Promise<number> => {
      const text = (await t.http.get('/metrics').set(t.admin).expect(200)).text;
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('http_request_duration_seconds_count{') &&
            l.includes('route="/api/v1/models/:name/predict"') &&
            l.includes('status="200"'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count();
    await send(`/api/v1/models/${model}/predict`, predictKey, instances, false);
    await send(`/api/v1/models/${model}/predict`, predictKey, instances, false);
    expect(await count()).toBe(before + 2);
  });
});

describe('the direct path under rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LIMIT: '2', RATE_LIMIT_TTL_MS: '60000' },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 RATE_LIMITED with Retry-After when a key goes over its limit', async () => {
    const key = (await createApiKey(t, { scopes: ['predict'] })).headers;
    const take = jest.spyOn(DirectRoutes.prototype, 'take');
    const predict = () =>
      t.http
        .post('/api/v1/models/no-such-model/predict')
        .set(key)
        .set('content-type', 'application/json')
        .send(instances);
    const first = await predict().expect(404);
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    await predict().expect(404);
    const res = await predict().expect(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(take.mock.results.map((r) => r.value as boolean)).toEqual([true, true, true]);
  });
});
