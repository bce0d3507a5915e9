import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import Redis from 'ioredis';
import { describeWithRedis, TEST_REDIS_URL } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

describe('cache in memory', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should return a stored value and forget it after delete when no Redis is configured', async () => {
    const cache = t.app.get<Cache>(CACHE_MANAGER);
    await cache.set('k', { v: 1 }, 10_000);
    expect(await cache.get('k')).toEqual({ v: 1 });
    await cache.del('k');
    expect(await cache.get('k')).toBeUndefined();
  });
});

describeWithRedis('cache in Redis', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ env: { REDIS_URL: TEST_REDIS_URL! } });
    b = await createTestApp({ env: { REDIS_URL: TEST_REDIS_URL! }, databaseUrl: a.databaseUrl });
  });

  afterAll(async () => {
    await b.app.close();
    await a.close();
  });

  it('should see a value set by another replica when both use Redis', async () => {
    const key = `shared-${Date.now()}`;
    await a.app.get<Cache>(CACHE_MANAGER).set(key, { from: 'a' }, 10_000);
    expect(await b.app.get<Cache>(CACHE_MANAGER).get(key)).toEqual({ from: 'a' });
  });

  it('should store the entry in Redis with its TTL when a TTL is given', async () => {
    const redis = new Redis(TEST_REDIS_URL!);
    try {
      const key = `ttl-${Date.now()}`;
      await a.app.get<Cache>(CACHE_MANAGER).set(key, 1, 5000);
      const pttl = await redis.pttl(`cache::${key}`);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(5000);
    } finally {
      redis.disconnect();
    }
  });
});
