import { getRepositoryToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { ApiKeyEntity, ApiKeysService } from 'src/platform/auth';
import { generateApiKey } from 'src/platform/auth/api-key-token';
import { createApiKey } from '../factories/api-key.factory';
import { describeWithRedis, TEST_REDIS_URL } from '../support/redis';
import { createTestApp, TestApp, createReplicas } from '../support/test-app';

const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_LIMIT: '100',
  RATE_LIMIT_ANONYMOUS_LIMIT: '2',
  RATE_LIMIT_TTL_MS: '60000',
  TRUST_PROXY: 'true',
};

/** A client address of its own per test, so that tests sharing one Redis never share a bucket. */
const freshIp = (): string => `10.${[...randomBytes(3)].join('.')}`;
const madeUp = (): { authorization: string } => ({ authorization: `Bearer ${generateApiKey()}` });

function keyRepository(t: TestApp): Repository<ApiKeyEntity> {
  return t.app.get<Repository<ApiKeyEntity>>(getRepositoryToken(ApiKeyEntity), { strict: false });
}

describeWithRedis('rate limits for keys that do not authenticate, shared through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ a, b, close } = await createReplicas({ ...LIMITS, REDIS_URL: TEST_REDIS_URL! }));
  });

  afterAll(() => close());

  const current = (t: TestApp, ip: string, headers: Record<string, string>) =>
    t.http.get('/api/v1/api-keys/current').set('x-forwarded-for', ip).set(headers);

  it('should count made-up keys against the client IP anonymous bucket across replicas when each key is new', async () => {
    const ip = freshIp();
    await current(a, ip, madeUp()).expect(401);
    await current(b, ip, madeUp()).expect(401);
    const res = await current(a, ip, madeUp()).expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('should count missing, revoked and expired keys against the same anonymous bucket', async () => {
    const ip = freshIp();
    const revoked = await createApiKey(a);
    await a.http.delete(`/api/v1/api-keys/${revoked.id}`).set(a.admin).expect(204);
    const expired = await createApiKey(a);
    await keyRepository(a).update({ id: expired.id }, { expiresAt: new Date(Date.now() - 60_000) });
    await current(a, ip, revoked.headers).expect(401);
    await current(b, ip, expired.headers).expect(401);
    await current(a, ip, {}).expect(429);
  });

  it('should give an authenticated key its own bucket when its IP has spent the anonymous one', async () => {
    const ip = freshIp();
    const valid = await createApiKey(b);
    await current(a, ip, valid.headers).expect(200);
    for (let i = 0; i < 5; i++) await current(a, ip, madeUp()).expect(i < 2 ? 401 : 429);
    for (const t of [a, b]) {
      const res = await current(t, ip, valid.headers).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('100');
    }
  });

  it('should look a flood of made-up keys up in PostgreSQL only until the IP has spent its anonymous bucket', async () => {
    const ip = freshIp();
    const lookups = jest.spyOn(keyRepository(a), 'findOne');
    try {
      const answers: number[] = [];
      for (let i = 0; i < 20; i++) answers.push((await current(a, ip, madeUp())).status);
      expect(answers.filter((s) => s === 401)).toHaveLength(2);
      expect(answers.filter((s) => s === 429)).toHaveLength(18);
      expect(lookups.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      lookups.mockRestore();
    }
  });

  it('should serve a key at once on the replica that created it when its IP is flooding', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await current(a, ip, madeUp());
    await current(a, ip, madeUp()).expect(429);
    const fresh = await createApiKey(a);
    await current(a, ip, fresh.headers).expect(200);
  });

  it('should count a made-up key on a lean route against the IP when the direct path serves it', async () => {
    const ip = freshIp();
    const predict = () =>
      a.http
        .post('/api/v1/models/no-such-model/predict')
        .set(madeUp())
        .set('x-forwarded-for', ip)
        .set('content-type', 'application/json')
        .send(JSON.stringify({ instances: [[1]] }));
    await predict().expect(401);
    await predict().expect(401);
    expect((await predict().expect(429)).body.code).toBe('RATE_LIMITED');
  });
});

describe('the client address behind a proxy', () => {
  it('should ignore X-Forwarded-For when TRUST_PROXY is false', async () => {
    const t = await createTestApp({ env: { ...LIMITS, TRUST_PROXY: 'false' } });
    try {
      await t.http.get('/api/v1/api-keys/current').set('x-forwarded-for', freshIp()).expect(401);
      await t.http.get('/api/v1/api-keys/current').set('x-forwarded-for', freshIp()).expect(401);
      await t.http.get('/api/v1/api-keys/current').set('x-forwarded-for', freshIp()).expect(429);
    } finally {
      await t.close();
    }
  });

  it('should give each forwarded client its own bucket when TRUST_PROXY is true', async () => {
    const t = await createTestApp({ env: LIMITS });
    try {
      for (let i = 0; i < 4; i++) {
        await t.http.get('/api/v1/api-keys/current').set('x-forwarded-for', `${freshIp()}, 127.0.0.1`).expect(401);
      }
    } finally {
      await t.close();
    }
  });
});

describe('the API key cache under a flood of made-up keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Long enough that no background refresh of the valid key falls inside the test.
    t = await createTestApp({ env: { AUTH_CACHE_TTL_MS: '600000' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should keep a valid key cached when more made-up keys are presented than any cache holds', async () => {
    const keys = t.app.get(ApiKeysService);
    const valid = await createApiKey(t);
    expect(await keys.authenticate(valid.key)).toMatchObject({ keyId: valid.id });
    const flood = Array.from({ length: 10_050 }, () => generateApiKey());
    for (let i = 0; i < flood.length; i += 50) {
      await Promise.all(flood.slice(i, i + 50).map((k) => keys.authenticate(k)));
    }
    const lookups = jest.spyOn(keyRepository(t), 'findOne');
    try {
      expect(await keys.authenticate(valid.key)).toMatchObject({ keyId: valid.id });
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
    // 10,050 lookups: ~10 s on a quiet machine, several times that on a loaded one.
  }, 180_000);

  it('should not look a made-up key up again when it is presented again', async () => {
    const keys = t.app.get(ApiKeysService);
    const key = generateApiKey();
    const lookups = jest.spyOn(keyRepository(t), 'findOne');
    try {
      for (let i = 0; i < 5; i++) expect(await keys.authenticate(key)).toBeNull();
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });
});
