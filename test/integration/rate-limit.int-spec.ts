import { createApiKey } from '../factories/api-key.factory';
import { describeWithRedis, TEST_REDIS_URL } from '../support/redis';
import { createTestApp, TestApp, createReplicas } from '../support/test-app';

const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_LIMIT: '3',
  RATE_LIMIT_ANONYMOUS_LIMIT: '2',
  RATE_LIMIT_TTL_MS: '60000',
};

describe('rate limits in memory', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: LIMITS });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 RATE_LIMITED with Retry-After when a key goes over its limit', async () => {
    const k = await createApiKey(t, { scopes: ['models:read'] });
    for (let i = 0; i < 3; i++) await t.http.get('/api/v1/api-keys/current').set(k.headers).expect(200);
    const res = await t.http.get('/api/v1/api-keys/current').set(k.headers).expect(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('should count each key separately when two keys call', async () => {
    const a = await createApiKey(t);
    const b = await createApiKey(t);
    for (let i = 0; i < 3; i++) await t.http.get('/api/v1/api-keys/current').set(a.headers).expect(200);
    await t.http.get('/api/v1/api-keys/current').set(a.headers).expect(429);
    await t.http.get('/api/v1/api-keys/current').set(b.headers).expect(200);
  });

  it('should limit anonymous callers by IP with the anonymous limit when no key is sent', async () => {
    await t.http.get('/api/v1/api-keys').expect(401);
    await t.http.get('/api/v1/api-keys').expect(401);
    const res = await t.http.get('/api/v1/api-keys').expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
  });

  it('should never limit health checks when they are polled often', async () => {
    for (let i = 0; i < 10; i++) await t.http.get('/health/live').expect(200);
  });
});

describe('rate limits on lean routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: LIMITS });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should limit a lean inference route like any other route when a key goes over its limit', async () => {
    const k = await createApiKey(t, { scopes: ['predict'] });
    const predict = () =>
      t.http
        .post('/api/v1/models/no-such-model/predict')
        .set(k.headers)
        .send({ instances: [[1]] });
    for (let i = 0; i < 3; i++) await predict().expect(404);
    const res = await predict().expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describeWithRedis('rate limits and cache shared through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ a, b, close } = await createReplicas({ ...LIMITS, REDIS_URL: TEST_REDIS_URL! }));
  });

  afterAll(() => close());

  it('should share the counter across replicas when REDIS_URL is set', async () => {
    const k = await createApiKey(a);
    await a.http.get('/api/v1/api-keys/current').set(k.headers).expect(200);
    await b.http.get('/api/v1/api-keys/current').set(k.headers).expect(200);
    await a.http.get('/api/v1/api-keys/current').set(k.headers).expect(200);
    const res = await b.http.get('/api/v1/api-keys/current').set(k.headers).expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('should report Redis as up when it is configured', async () => {
    const res = await a.http.get('/health').expect(200);
    expect(res.body.components.redis.status).toBe('up');
  });
});
