import { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, LOGREG } from '../factories/model.factory';
import { freePort, killHard, startRedis } from '../support/processes';
import { describeWithRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const row = (seed: number) => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.cos(seed + i)]));

describeWithRedis('faults: Redis stopped under a running server', () => {
  let redis: ChildProcess;
  let port: number;
  let t: TestApp;
  let key: CreatedKey;
  let model: string;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await createTestApp({
      env: {
        REDIS_URL: `redis://127.0.0.1:${port}`,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_LIMIT: '6',
        RATE_LIMIT_TTL_MS: '60000',
      },
    });
    key = await createApiKey(t, { scopes: ['models:read', 'models:write', 'predict'] });
    model = (await createModel(t, key.headers)).name;
    await createVersion(t, model, LOGREG, { features: features16() }, key.headers);
    await t.http.post(`/api/v1/models/${model}/promote`).set(key.headers).send({ version: 1 }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
    await killHard(redis);
  });

  const predict = (seed: number) =>
    t.http
      .post(`/api/v1/models/${model}/predict`)
      .set(key.headers)
      .send({ inputs: [row(seed)] });

  it('should keep serving predictions, fail readiness and count the limit in process when Redis stops, and use Redis again when it is back', async () => {
    expect((await predict(1).expect(200)).body.cached).toBe(false);
    await killHard(redis);

    // The result cache fails open: a new input is computed, a repeated one is still found in process.
    expect((await predict(2).expect(200)).body.cached).toBe(false);
    expect((await predict(1).expect(200)).body.cached).toBe(true);
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body.components.redis.status).toBe('down');

    // The limit still holds, counted by this replica alone until Redis is back (two of its six were spent above).
    for (let i = 0; i < 4; i++) await predict(10 + i).expect(200);
    const limited = await predict(20).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');

    redis = await startRedis(port);
    await waitFor(async () => (await t.http.get('/health/ready')).status === 200, 'readiness with Redis back', 20_000);
    // Counting is back in Redis (the restarted one started empty).
    await predict(30).expect(200);
    const client = new Redis(`redis://127.0.0.1:${port}`);
    try {
      expect((await client.keys('*')).length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });
});
