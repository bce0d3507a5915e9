import { DataSource } from 'typeorm';
import { IdempotencyService } from 'src/platform/idempotency';
import { createTestApp, TestApp } from '../support/test-app';

describe(IdempotencyService.name, () => {
  let t: TestApp;
  let svc: IdempotencyService;
  const route = 'POST /api/v1/models/m/contributions';

  beforeAll(async () => {
    t = await createTestApp();
    svc = t.app.get(IdempotencyService);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should replay the first answer when the same key comes with the same request', async () => {
    const hash = IdempotencyService.hash(route, { rows: [1] });
    expect(await svc.claim('alice', 'k1', route, hash)).toEqual({ kind: 'new' });
    await svc.complete('alice', 'k1', 201, { id: 'c1' });
    expect(await svc.claim('alice', 'k1', route, hash)).toEqual({ kind: 'replay', status: 201, body: { id: 'c1' } });
  });

  it('should refuse with 422 IDEMPOTENCY_KEY_REUSED when the same key comes with a different request', async () => {
    await svc.claim('alice', 'k2', route, IdempotencyService.hash(route, { rows: [1] }));
    await svc.complete('alice', 'k2', 201, {});
    await expect(svc.claim('alice', 'k2', route, IdempotencyService.hash(route, { rows: [2] }))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      kind: 'unprocessable',
    });
  });

  it('should refuse with 409 IDEMPOTENCY_KEY_IN_USE when the first request is still running', async () => {
    const hash = IdempotencyService.hash(route, {});
    await svc.claim('alice', 'k3', route, hash);
    await expect(svc.claim('alice', 'k3', route, hash)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_USE',
      kind: 'conflict',
    });
  });

  it('should let one of many concurrent requests run when they race with the same key', async () => {
    const hash = IdempotencyService.hash(route, {});
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => svc.claim('alice', 'race', route, hash)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('should scope keys to the owner when two owners use the same key', async () => {
    const hash = IdempotencyService.hash(route, {});
    expect(await svc.claim('alice', 'shared', route, hash)).toEqual({ kind: 'new' });
    expect(await svc.claim('bob', 'shared', route, hash)).toEqual({ kind: 'new' });
  });

  it('should free the key when the first request failed and was released', async () => {
    const hash = IdempotencyService.hash(route, {});
    await svc.claim('alice', 'k4', route, hash);
    await svc.release('alice', 'k4');
    expect(await svc.claim('alice', 'k4', route, hash)).toEqual({ kind: 'new' });
  });

  it('should treat an expired key as new when its time is up', async () => {
    const hash = IdempotencyService.hash(route, {});
    await svc.claim('alice', 'k5', route, hash);
    await svc.complete('alice', 'k5', 200, {});
    await t.app
      .get(DataSource)
      .query(`UPDATE idempotency_keys SET "expiresAt" = now() - interval '1 second' WHERE key = 'k5'`);
    expect(await svc.claim('alice', 'k5', route, IdempotencyService.hash(route, { other: true }))).toEqual({
      kind: 'new',
    });
  });

  it('should let a retry of the same request take over a key left in progress past the lease by a dead process', async () => {
    const hash = IdempotencyService.hash(route, { rows: [9] });
    await svc.claim('alice', 'k-lease', route, hash);
    await t.app
      .get(DataSource)
      .query(
        `UPDATE idempotency_keys SET "createdAt" = now() - interval '1 hour' WHERE owner = 'alice' AND key = 'k-lease'`,
      );
    await expect(
      svc.claim('alice', 'k-lease', route, IdempotencyService.hash(route, { rows: [8] })),
    ).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await svc.claim('alice', 'k-lease', route, hash)).toEqual({ kind: 'new' });
    await expect(svc.claim('alice', 'k-lease', route, hash)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
  });

  it('should refuse a key that is not printable ASCII', async () => {
    await expect(svc.claim('alice', 'bad key\n', route, 'x')).rejects.toMatchObject({
      code: 'INVALID_IDEMPOTENCY_KEY',
    });
  });
});
