import { DataSource } from 'typeorm';
import { createApiKey } from '../factories/api-key.factory';
import { createTestApp, TestApp } from '../support/test-app';

describe('API keys and the global guard', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 401 API_KEY_MISSING with a Bearer challenge when no key is sent', async () => {
    const res = await t.http.get('/api/v1/api-keys').expect(401);
    expect(res.body.code).toBe('API_KEY_MISSING');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('should answer 401 API_KEY_INVALID when the key is unknown', async () => {
    const res = await t.http.get('/api/v1/api-keys').set('authorization', 'Bearer dok_not-a-real-key').expect(401);
    expect(res.body.code).toBe('API_KEY_INVALID');
  });

  it('should accept the key when it comes as X-API-Key', async () => {
    await t.http.get('/api/v1/api-keys/current').set('x-api-key', t.adminKey).expect(200);
  });

  it('should answer 403 INSUFFICIENT_SCOPE when the key lacks the route scope', async () => {
    const reader = await createApiKey(t, { scopes: ['models:read'] });
    const res = await t.http.get('/api/v1/api-keys').set(reader.headers).expect(403);
    expect(res.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', requiredScopes: ['keys:manage'] });
  });

  it('should show the key once and store only its hash when a key is created', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'ci', scopes: ['predict'], owner: 'acme' })
      .expect(201);
    const { id, key, prefix } = res.body;
    expect(key).toMatch(/^dok_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);

    const again = await t.http.get(`/api/v1/api-keys/${id}`).set(t.admin).expect(200);
    expect(again.body.key).toBeUndefined();
    expect(again.body).toMatchObject({ id, owner: 'acme', scopes: ['predict'], prefix });

    const rows = await t.app.get(DataSource).query('SELECT * FROM api_keys WHERE id = $1', [id]);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should refuse the key at once when it is revoked', async () => {
    const k = await createApiKey(t, { scopes: ['models:read'] });
    await t.http.get('/api/v1/api-keys/current').set(k.headers).expect(200);
    await t.http.delete(`/api/v1/api-keys/${k.id}`).set(t.admin).expect(204);
    const res = await t.http.get('/api/v1/api-keys/current').set(k.headers).expect(401);
    expect(res.body.code).toBe('API_KEY_INVALID');
  });

  it('should answer 404 when another owner asks for a key by id', async () => {
    const alice = await createApiKey(t, { scopes: ['keys:manage', 'predict'] });
    const bob = await createApiKey(t, { scopes: ['keys:manage'] });
    const res = await t.http.get(`/api/v1/api-keys/${alice.id}`).set(bob.headers).expect(404);
    expect(res.body.code).toBe('API_KEY_NOT_FOUND');
    await t.http.delete(`/api/v1/api-keys/${alice.id}`).set(bob.headers).expect(404);
    await t.http.get(`/api/v1/api-keys/${alice.id}`).set(alice.headers).expect(200);
  });

  it('should list only the caller owner keys when the caller is not an admin', async () => {
    const alice = await createApiKey(t, { scopes: ['keys:manage'] });
    await createApiKey(t, { scopes: ['predict'], owner: alice.owner });
    await createApiKey(t, { scopes: ['predict'] });
    const res = await t.http.get('/api/v1/api-keys').set(alice.headers).expect(200);
    const owners = new Set((res.body.items as { owner: string }[]).map((k) => k.owner));
    expect([...owners]).toEqual([alice.owner]);
    expect(res.body.items).toHaveLength(2);
  });

  it('should refuse to grant scopes the creating key does not hold when it is not an admin', async () => {
    const manager = await createApiKey(t, { scopes: ['keys:manage', 'predict'] });
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(manager.headers)
      .send({ name: 'x', scopes: ['admin'] })
      .expect(403);
    expect(res.body.code).toBe('SCOPE_ESCALATION');
    const other = await t.http
      .post('/api/v1/api-keys')
      .set(manager.headers)
      .send({ name: 'x', scopes: ['predict'], owner: 'someone-else' })
      .expect(403);
    expect(other.body.code).toBe('OWNER_NOT_ALLOWED');
    const ok = await t.http
      .post('/api/v1/api-keys')
      .set(manager.headers)
      .send({ name: 'x', scopes: ['predict'] })
      .expect(201);
    expect(ok.body.owner).toBe(manager.owner);
  });

  it('should page through keys with a cursor when there are more than the limit', async () => {
    const owner = `pager-${Date.now()}`;
    for (let i = 0; i < 5; i++) await createApiKey(t, { owner, name: `k${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: Record<string, string> = { owner, limit: '2', ...(cursor ? { cursor } : {}) };
      const res = await t.http.get('/api/v1/api-keys').query(q).set(t.admin).expect(200);
      seen.push(...(res.body.items as { name: string }[]).map((k) => k.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['k4', 'k3', 'k2', 'k1', 'k0']);
  });

  it('should answer 400 INVALID_CURSOR when the cursor was not made by the server', async () => {
    const res = await t.http.get('/api/v1/api-keys').query({ cursor: 'bm90LWpzb24' }).set(t.admin).expect(400);
    expect(res.body.code).toBe('INVALID_CURSOR');
  });
});

describe('bootstrap admin key', () => {
  it('should generate, print once and store hashed a key when ADMIN_API_KEY is unset', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    let t: TestApp | undefined;
    let second: TestApp | undefined;
    try {
      t = await createTestApp({ env: { ADMIN_API_KEY: '' } });
      const printed = writes.join('').match(/dok_[A-Za-z0-9_-]{43}/g) ?? [];
      expect(printed).toHaveLength(1);
      const res = await t.http.get('/api/v1/api-keys/current').set('authorization', `Bearer ${printed[0]}`).expect(200);
      expect(res.body).toMatchObject({ owner: 'admin', scopes: ['admin'] });

      writes.length = 0;
      second = await createTestApp({ env: { ADMIN_API_KEY: '' }, databaseUrl: t.databaseUrl });
      expect(writes.join('')).not.toMatch(/dok_/);
    } finally {
      spy.mockRestore();
      await second?.app.close();
      await t?.close();
    }
  });
});
