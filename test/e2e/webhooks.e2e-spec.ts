import { DataSource } from 'typeorm';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { publishEvent } from '../factories/event.factory';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { FAST_WEBHOOKS, waitForDelivery } from '../support/webhooks';

describe('webhook endpoints API', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let alice: CreatedKey;
  let bob: CreatedKey;

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_WEBHOOKS });
    receiver = await WebhookReceiver.start();
    alice = await createApiKey(t, { scopes: ['webhooks:admin'] });
    bob = await createApiKey(t, { scopes: ['webhooks:admin'] });
  });

  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('should show the secret only at creation when an endpoint is created, read and listed', async () => {
    const res = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(alice.headers)
      .send({ url: receiver.url('/crud'), eventTypes: ['model.*'], description: 'mine', modelNames: ['churn'] })
      .expect(201);
    expect(res.body).toMatchObject({
      owner: alice.owner,
      allOwners: false,
      url: receiver.url('/crud'),
      eventTypes: ['model.*'],
      modelNames: ['churn'],
      description: 'mine',
      enabled: true,
      breaker: { state: 'closed', consecutiveFailures: 0, retryAt: null },
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const one = await t.http.get(`/api/v1/webhooks/endpoints/${res.body.id}`).set(alice.headers).expect(200);
    expect(one.body.secret).toBeUndefined();
    expect(JSON.stringify(one.body)).not.toContain(res.body.secret);
    const list = await t.http.get('/api/v1/webhooks/endpoints').set(alice.headers).expect(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([res.body.id]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    // Not even the database holds it in clear.
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT secret FROM webhook_endpoints WHERE id = $1`, [res.body.id]);
    expect(row.secret).not.toContain(res.body.secret.slice(6));
  });

  it('should change and delete an endpoint when its owner asks', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/patch') }, alice.headers);
    const patched = await t.http
      .patch(`/api/v1/webhooks/endpoints/${ep.id}`)
      .set(alice.headers)
      .send({ url: receiver.url('/patched'), eventTypes: ['deltaone.achieved'], description: 'new', enabled: false })
      .expect(200);
    expect(patched.body).toMatchObject({
      url: receiver.url('/patched'),
      eventTypes: ['deltaone.achieved'],
      description: 'new',
      enabled: false,
      disabledReason: 'manual',
    });
    await t.http.post(`/api/v1/webhooks/endpoints/${ep.id}/test`).set(alice.headers).expect(409);
    await t.http.delete(`/api/v1/webhooks/endpoints/${ep.id}`).set(alice.headers).expect(204);
    await t.http.get(`/api/v1/webhooks/endpoints/${ep.id}`).set(alice.headers).expect(404);
  });

  it('should answer 404 on every route when another owner touches an endpoint, its deliveries or its messages', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/isolated') }, alice.headers);
    const msgId = await publishEvent(t, 'model.registered', { model: 'a' }, { owner: alice.owner });
    const d = await waitForDelivery(t, msgId, ep.id, 'delivered');
    const base = `/api/v1/webhooks/endpoints/${ep.id}`;
    const since = { since: new Date(0).toISOString() };
    const calls = [
      t.http.get(base),
      t.http.patch(base).send({ description: 'hijack' }),
      t.http.delete(base),
      t.http.post(`${base}/rotate-secret`),
      t.http.post(`${base}/test`),
      t.http.post(`${base}/recover`).send(since),
      t.http.get(`${base}/deliveries`),
      t.http.get(`/api/v1/webhooks/deliveries/${d.id}`),
      t.http.post(`/api/v1/webhooks/deliveries/${d.id}/replay`),
      t.http.get(`/api/v1/webhooks/messages/${msgId}`),
    ];
    for (const call of calls) {
      const res = await call.set(bob.headers);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toMatch(/^WEBHOOK_(ENDPOINT|DELIVERY|MESSAGE)_NOT_FOUND$/);
    }
    const list = await t.http.get('/api/v1/webhooks/endpoints').set(bob.headers).expect(200);
    expect(list.body.items).toEqual([]);
    // The owner and an admin still see it, unchanged.
    const mine = await t.http.get(base).set(alice.headers).expect(200);
    expect(mine.body.description).toBe('factory endpoint');
    await t.http.get(base).set(t.admin).expect(200);
    await t.http.get(`/api/v1/webhooks/messages/${msgId}`).set(alice.headers).expect(200);
  });

  it('should refuse keys without the webhooks:admin scope', async () => {
    const reader = await createApiKey(t, { scopes: ['models:read'] });
    const res = await t.http.get('/api/v1/webhooks/endpoints').set(reader.headers).expect(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
    await t.http.get('/api/v1/webhooks/endpoints').expect(401);
  });

  it('should answer 400 with every bad field when the input is invalid', async () => {
    const res = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(alice.headers)
      .send({ url: 42, eventTypes: ['Model Promoted'], owner: 'someone-else', modelNames: ['bad name!'] })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['url', 'eventTypes', 'owner', 'modelNames']));
    const empty = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(alice.headers)
      .send({ url: receiver.url(), eventTypes: [] })
      .expect(400);
    expect(empty.body.errors[0].field).toBe('eventTypes');
    const creds = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(alice.headers)
      .send({ url: 'https://user:pw@example.com/hook', eventTypes: ['*'] })
      .expect(400);
    expect(creds.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    await t.http.get('/api/v1/webhooks/messages/not-a-message').set(alice.headers).expect(400);
    await t.http.get('/api/v1/webhooks/endpoints/not-a-uuid').set(alice.headers).expect(400);
  });

  it('should refuse to replay a delivery when it is still queued', async () => {
    receiver.respond = () => ({ status: 500 });
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/queued') }, alice.headers);
    await t.app
      .get(DataSource)
      .query(
        `UPDATE webhook_endpoints SET "breakerState" = 'open', "breakerRetryAt" = now() + interval '1 hour' WHERE id = $1`,
        [ep.id],
      );
    const msgId = await publishEvent(t, 'model.registered', { model: 'q' }, { owner: alice.owner });
    const d = await waitForDelivery(t, msgId, ep.id, 'pending');
    const res = await t.http.post(`/api/v1/webhooks/deliveries/${d.id}/replay`).set(alice.headers).expect(409);
    expect(res.body.code).toBe('WEBHOOK_DELIVERY_IN_PROGRESS');
    receiver.respond = () => ({ status: 200 });
  });

  it('should list the event catalogue when asked for the event types', async () => {
    const res = await t.http.get('/api/v1/webhooks/event-types').set(alice.headers).expect(200);
    const types = res.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['model.registered', 'model.promoted', 'webhook.test', 'webhook.endpoint.disabled']),
    );
  });

  it('should document every webhook route in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.info.description).toContain('webhook.endpoint.disabled');
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/webhooks'));
    expect(paths.sort()).toEqual(
      [
        '/api/v1/webhooks/deliveries/{id}',
        '/api/v1/webhooks/deliveries/{id}/replay',
        '/api/v1/webhooks/endpoints',
        '/api/v1/webhooks/endpoints/{id}',
        '/api/v1/webhooks/endpoints/{id}/deliveries',
        '/api/v1/webhooks/endpoints/{id}/recover',
        '/api/v1/webhooks/endpoints/{id}/rotate-secret',
        '/api/v1/webhooks/endpoints/{id}/test',
        '/api/v1/webhooks/event-types',
        '/api/v1/webhooks/messages/{msgId}',
      ].sort(),
    );
  });
});

describe('webhook endpoints API with default settings', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should accept only https URLs when WEBHOOK_ALLOW_HTTP is not set', async () => {
    const res = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(t.admin)
      .send({ url: 'http://hooks.example.com/x', eventTypes: ['*'] })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', errors: [{ field: 'url' }] });
    const ok = await t.http
      .post('/api/v1/webhooks/endpoints')
      .set(t.admin)
      .send({ url: 'https://hooks.example.com/x', eventTypes: ['*'] })
      .expect(201);
    expect(ok.body).toMatchObject({ allOwners: true, owner: 'admin' });
  });
});
