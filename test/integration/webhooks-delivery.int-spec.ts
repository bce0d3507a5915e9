import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { createApiKey } from '../factories/api-key.factory';
import { publishEvent } from '../factories/event.factory';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveriesOf, FAST_WEBHOOKS, waitForDelivery } from '../support/webhooks';

describe('webhook delivery', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_WEBHOOKS });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.respond = () => ({ status: 200, body: 'ok' });
  });

  const headersOf = (r: { headers: Record<string, unknown> }) => ({
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });

  it('should deliver a Standard Webhooks message that standardwebhooks verifies when an event is published', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/signed'), eventTypes: ['model.promoted'] });
    const msgId = await publishEvent(
      t,
      'model.promoted',
      { model: 'churn', alias: 'production', to: 2 },
      { modelName: 'churn' },
    );
    await waitForDelivery(t, msgId, ep.id, 'delivered');
    const [req] = receiver.on('/signed');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^DeltaOne-Webhooks\//);
    expect(req.headers['webhook-id']).toBe(msgId);
    expect(msgId).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    const wh = new Webhook(ep.secret);
    const payload = wh.verify(req.body, headersOf(req));
    expect(payload).toEqual({
      id: msgId,
      type: 'model.promoted',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { model: 'churn', alias: 'production', to: 2 },
    });
    // A tampered body and an old (correctly signed) timestamp both fail verification.
    expect(() => wh.verify(req.body.replace('churn', 'chorn'), headersOf(req))).toThrow('No matching signature found');
    const old = new Date(Date.now() - 10 * 60 * 1000);
    expect(() =>
      wh.verify(req.body, {
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(old.getTime() / 1000)),
        'webhook-signature': wh.sign(msgId, old, req.body),
      }),
    ).toThrow('Message timestamp too old');
  });

  it('should sign with both the old and the new secret when the secret was rotated', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/rotation'), eventTypes: ['*'] });
    const rotated = await t.http.post(`/api/v1/webhooks/endpoints/${ep.id}/rotate-secret`).set(t.admin).expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);
    const msgId = await publishEvent(t, 'model.registered', { model: 'churn' }, { modelName: 'churn' });
    await waitForDelivery(t, msgId, ep.id, 'delivered');
    const [req] = receiver.on('/rotation');
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(ep.secret).verify(req.body, headersOf(req))).toMatchObject({ id: msgId });
    expect(new Webhook(rotated.body.secret).verify(req.body, headersOf(req))).toMatchObject({ id: msgId });

    // Once the rotation window is over, only the new secret signs.
    await t.app
      .get(DataSource)
      .query(`UPDATE webhook_endpoints SET "previousSecretExpiresAt" = now() - interval '1 second' WHERE id = $1`, [
        ep.id,
      ]);
    const second = await publishEvent(t, 'model.registered', { model: 'churn' }, { modelName: 'churn' });
    await waitForDelivery(t, second, ep.id, 'delivered');
    const after = receiver.on('/rotation')[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(ep.secret).verify(after.body, headersOf(after))).toThrow('No matching signature found');
    expect(new Webhook(rotated.body.secret).verify(after.body, headersOf(after))).toMatchObject({ id: second });
  });

  it('should publish nothing when the business transaction rolls back', async () => {
    const ds = t.app.get(DataSource);
    const before = await ds.query(`SELECT count(*)::int AS n FROM events`);
    await expect(
      t.app.get(TxHost).withTransaction(async () => {
        await t.app.get(EventsService).publish('model.registered', { model: 'ghost' } as never);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const after = await ds.query(`SELECT count(*)::int AS n FROM events`);
    expect(after[0].n).toBe(before[0].n);
    await expect(t.app.get(EventsService).publish('model.registered', {} as never)).rejects.toThrow(
      /inside the transaction/,
    );
  });

  it('should deliver only matching events when endpoints filter by owner, type and model', async () => {
    const alice = await createApiKey(t, { scopes: ['webhooks:admin'] });
    const bob = await createApiKey(t, { scopes: ['webhooks:admin'] });
    const aliceAll = await createWebhookEndpoint(t, { url: receiver.url('/alice-all') }, alice.headers);
    const aliceChurn = await createWebhookEndpoint(
      t,
      { url: receiver.url('/alice-churn'), eventTypes: ['model.*'], modelNames: ['churn'] },
      alice.headers,
    );
    const bobAll = await createWebhookEndpoint(t, { url: receiver.url('/bob-all') }, bob.headers);
    const adminAll = await createWebhookEndpoint(t, { url: receiver.url('/admin-all') });

    const churn = await publishEvent(t, 'model.promoted', { m: 1 }, { owner: alice.owner, modelName: 'churn' });
    const fraud = await publishEvent(t, 'model.promoted', { m: 2 }, { owner: alice.owner, modelName: 'fraud' });
    const contribution = await publishEvent(t, 'contribution.received', { c: 1 }, { owner: alice.owner });
    const ds = t.app.get(DataSource);
    await waitFor(
      async () =>
        (
          await ds.query(`SELECT 1 FROM events WHERE id = ANY($1) AND "dispatchedAt" IS NULL`, [
            [churn, fraud, contribution],
          ])
        ).length === 0 || undefined,
      'the events to be dispatched',
    );
    // Endpoints of earlier tests (admin, "*") receive these too; look only at this test's endpoints.
    const mine = new Set([aliceAll.id, aliceChurn.id, bobAll.id, adminAll.id]);
    const targets = async (messageId: string) =>
      (await deliveriesOf(t, { messageId }))
        .map((d) => d.endpointId)
        .filter((id) => mine.has(id))
        .sort();
    expect(await targets(churn)).toEqual([aliceAll.id, aliceChurn.id, adminAll.id].sort());
    expect(await targets(fraud)).toEqual([aliceAll.id, adminAll.id].sort());
    expect(await targets(contribution)).toEqual([aliceAll.id, adminAll.id].sort());
    expect((await deliveriesOf(t, { endpointId: bobAll.id })).length).toBe(0);
  });

  it('should retry on the schedule and then mark the delivery failed when the receiver keeps failing', async () => {
    receiver.respond = () => ({ status: 500, body: 'x'.repeat(10_000) });
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/failing') });
    const msgId = await publishEvent(t, 'contribution.rewarded', { rewardId: 'r1' });
    const d = await waitForDelivery(t, msgId, ep.id, 'failed');
    expect(d.attempts).toBe(3);
    expect(receiver.on('/failing')).toHaveLength(3);
    expect(new Set(receiver.on('/failing').map((r) => r.headers['webhook-id']))).toEqual(new Set([msgId]));
    const detail = await t.http.get(`/api/v1/webhooks/deliveries/${d.id}`).set(t.admin).expect(200);
    expect(detail.body).toMatchObject({ status: 'failed', attempts: 3, maxAttempts: 3, lastStatusCode: 500 });
    expect(detail.body.attemptLog).toHaveLength(3);
    for (const [i, a] of detail.body.attemptLog.entries()) {
      expect(a).toMatchObject({ attempt: i + 1, outcome: 'http_error', statusCode: 500, error: 'HTTP 500' });
      expect(a.responseBody).toHaveLength(4096);
      expect(a.durationMs).toEqual(expect.any(Number));
    }
    const failed = await t.http
      .get(`/api/v1/webhooks/endpoints/${ep.id}/deliveries?status=failed`)
      .set(t.admin)
      .expect(200);
    expect(failed.body.items.map((x: { id: string }) => x.id)).toEqual([d.id]);
  });

  it('should disable the endpoint and emit webhook.endpoint.disabled when the receiver answers 410', async () => {
    receiver.respond = (r) => (r.path === '/gone' ? { status: 410 } : { status: 200 });
    const owner = await createApiKey(t, { scopes: ['webhooks:admin'] });
    const gone = await createWebhookEndpoint(
      t,
      { url: receiver.url('/gone'), eventTypes: ['contribution.*'] },
      owner.headers,
    );
    const watcher = await createWebhookEndpoint(
      t,
      { url: receiver.url('/watcher'), eventTypes: ['webhook.endpoint.disabled'] },
      owner.headers,
    );
    const msgId = await publishEvent(t, 'contribution.rewarded', { evaluationId: 'e1' }, { owner: owner.owner });
    await waitForDelivery(t, msgId, gone.id, 'failed');
    const ep = await t.http.get(`/api/v1/webhooks/endpoints/${gone.id}`).set(owner.headers).expect(200);
    expect(ep.body).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(receiver.on('/gone')).toHaveLength(1);
    const notice = await waitFor(() => receiver.on('/watcher')[0], 'the disabled notice');
    expect(new Webhook(watcher.secret).verify(notice.body, headersOf(notice))).toMatchObject({
      type: 'webhook.endpoint.disabled',
      data: { endpointId: gone.id, reason: 'gone', url: receiver.url('/gone') },
    });
    // A disabled endpoint gets nothing more.
    const next = await publishEvent(t, 'contribution.rewarded', { evaluationId: 'e2' }, { owner: owner.owner });
    await waitFor(
      async () =>
        (await t.app.get(DataSource).query(`SELECT 1 FROM events WHERE id = $1 AND "dispatchedAt" IS NOT NULL`, [next]))
          .length > 0 || undefined,
      'dispatch',
    );
    expect(await deliveriesOf(t, { messageId: next, endpointId: gone.id })).toHaveLength(0);
  });

  it('should make no attempt before Retry-After has passed when the receiver answers 429', async () => {
    receiver.respond = () =>
      receiver.on('/busy').length === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 };
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/busy') });
    const msgId = await publishEvent(t, 'model.registered', { model: 'x' });
    const waiting = await waitFor(async () => {
      const [d] = await deliveriesOf(t, { messageId: msgId, endpointId: ep.id });
      return d?.attempts === 1 && d.status === 'pending' ? d : undefined;
    }, 'the first attempt to be recorded');
    // The schedule says 50 ms; Retry-After says 2 s, and wins.
    expect(waiting.nextAttemptAt.getTime() - waiting.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(2000);
    const done = await waitForDelivery(t, msgId, ep.id, 'delivered');
    const detail = await t.http.get(`/api/v1/webhooks/deliveries/${done.id}`).set(t.admin).expect(200);
    const [first, second] = detail.body.attemptLog;
    expect(first).toMatchObject({ statusCode: 429 });
    expect(second).toMatchObject({ statusCode: 200, outcome: 'success' });
    expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(waiting.nextAttemptAt.getTime());
  });

  it('should re-send the same message with a new timestamp when a delivery is replayed', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/replay') });
    const msgId = await publishEvent(t, 'model.registered', { model: 'replayed' });
    const d = await waitForDelivery(t, msgId, ep.id, 'delivered');
    const first = receiver.on('/replay')[0];
    // Let a second pass, so the replay's timestamp differs.
    await waitFor(
      () => Math.floor(Date.now() / 1000) > Number(first.headers['webhook-timestamp']) || undefined,
      'a new second',
    );
    const res = await t.http.post(`/api/v1/webhooks/deliveries/${d.id}/replay`).set(t.admin).expect(202);
    expect(res.body).toMatchObject({ id: d.id, messageId: msgId, replays: 1 });
    await waitFor(() => receiver.on('/replay')[1], 'the replayed request');
    const second = receiver.on('/replay')[1];
    expect(second.headers['webhook-id']).toBe(msgId);
    expect(second.body).toBe(first.body);
    expect(second.headers['webhook-timestamp']).not.toBe(first.headers['webhook-timestamp']);
    expect(second.headers['webhook-signature']).not.toBe(first.headers['webhook-signature']);
    expect(new Webhook(ep.secret).verify(second.body, headersOf(second))).toMatchObject({ id: msgId });
    await waitForDelivery(t, msgId, ep.id, 'delivered');
  });

  it('should re-queue failed deliveries since a time when the endpoint is recovered', async () => {
    let healthy = false;
    receiver.respond = () => (healthy ? { status: 200 } : { status: 503 });
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/recover') });
    const since = new Date(Date.now() - 1000).toISOString();
    const ids = [
      await publishEvent(t, 'model.registered', { n: 1 }),
      await publishEvent(t, 'model.registered', { n: 2 }),
    ];
    for (const id of ids) await waitForDelivery(t, id, ep.id, 'failed');
    healthy = true;
    const res = await t.http
      .post(`/api/v1/webhooks/endpoints/${ep.id}/recover`)
      .set(t.admin)
      .send({ since })
      .expect(202);
    expect(res.body).toEqual({ requeued: 2 });
    for (const id of ids) await waitForDelivery(t, id, ep.id, 'delivered');
    const delivered = await deliveriesOf(t, { endpointId: ep.id });
    expect(delivered.map((d) => d.replays)).toEqual([1, 1]);
  });

  it("should send webhook.test through the delivery path and never return the receiver's body", async () => {
    receiver.respond = () => ({ status: 200, body: 'secret receiver body' });
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/test-event'), eventTypes: ['model.promoted'] });
    const other = await createWebhookEndpoint(t, { url: receiver.url('/not-me') });
    const res = await t.http.post(`/api/v1/webhooks/endpoints/${ep.id}/test`).set(t.admin).expect(202);
    expect(Object.keys(res.body).sort()).toEqual(['deliveryId', 'messageId']);
    expect(JSON.stringify(res.body)).not.toContain('secret receiver body');
    await waitForDelivery(t, res.body.messageId, ep.id, 'delivered');
    const [req] = receiver.on('/test-event');
    expect(new Webhook(ep.secret).verify(req.body, headersOf(req))).toMatchObject({
      id: res.body.messageId,
      type: 'webhook.test',
      data: { endpointId: ep.id },
    });
    expect(await deliveriesOf(t, { messageId: res.body.messageId, endpointId: other.id })).toHaveLength(0);
  });

  it('should replace large data by its ids and a link when the payload would exceed 20 KB', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/large') });
    const data = { contributionId: 'c-42', modelName: 'churn', rows: 'r'.repeat(30_000) };
    const msgId = await publishEvent(t, 'contribution.received', data);
    await waitForDelivery(t, msgId, ep.id, 'delivered');
    const [req] = receiver.on('/large');
    expect(Buffer.byteLength(req.body)).toBeLessThanOrEqual(20 * 1024);
    const payload = new Webhook(ep.secret).verify(req.body, headersOf(req));
    expect(payload).toMatchObject({
      id: msgId,
      data: { truncated: true, contributionId: 'c-42', modelName: 'churn', url: `/api/v1/webhooks/messages/${msgId}` },
    });
    const message = await t.http.get(`/api/v1/webhooks/messages/${msgId}`).set(t.admin).expect(200);
    expect(message.body).toMatchObject({ id: msgId, type: 'contribution.received', data });
    expect(message.body.deliveries).toContainEqual(expect.objectContaining({ endpointId: ep.id, status: 'delivered' }));
  });

  it('should list deliveries by status and time window when the log is queried', async () => {
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/log') });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await publishEvent(t, 'model.registered', { i }));
    for (const id of ids) await waitForDelivery(t, id, ep.id, 'delivered');
    const page1 = await t.http.get(`/api/v1/webhooks/endpoints/${ep.id}/deliveries?limit=2`).set(t.admin).expect(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0]).toMatchObject({
      eventType: 'model.registered',
      status: 'delivered',
      endpointId: ep.id,
    });
    const page2 = await t.http
      .get(`/api/v1/webhooks/endpoints/${ep.id}/deliveries?limit=2&cursor=${page1.body.nextCursor}`)
      .set(t.admin)
      .expect(200);
    expect(page2.body.nextCursor).toBeNull();
    const seen = [...page1.body.items, ...page2.body.items].map((d: { messageId: string }) => d.messageId);
    expect(seen.sort()).toEqual([...ids].sort());
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await t.http
      .get(`/api/v1/webhooks/endpoints/${ep.id}/deliveries`)
      .query({ since: future })
      .set(t.admin)
      .expect(200);
    expect(none.body.items).toEqual([]);
    const all = await t.http
      .get(`/api/v1/webhooks/endpoints/${ep.id}/deliveries`)
      .query({ until: future, status: 'delivered' })
      .set(t.admin)
      .expect(200);
    expect(all.body.items).toHaveLength(3);
  });

  it('should expose delivery metrics when Prometheus scrapes', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/webhook_deliveries_total\{outcome="success"\} \d+/);
    expect(res.text).toMatch(/webhook_attempt_duration_seconds_count\{outcome="success"\} \d+/);
    expect(res.text).toMatch(/webhook_queue_lag_seconds_count \d+/);
    expect(res.text).toMatch(/webhook_queue_due \d+/);
    expect(res.text).toMatch(/webhook_queue_oldest_due_seconds \d+/);
  });
});

describe('webhook delivery timeouts', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...FAST_WEBHOOKS, WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_LEASE_SECONDS: '1', WEBHOOK_RETRY_SCHEDULE: '0' },
    });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('should record a timeout and give up on the request when the receiver does not answer in time', async () => {
    receiver.respond = () => ({ status: 200, hang: true });
    const ep = await createWebhookEndpoint(t, { url: receiver.url('/slow') });
    const msgId = await publishEvent(t, 'model.registered', { model: 'slow' });
    const d = await waitForDelivery(t, msgId, ep.id, 'failed');
    const detail = await t.http.get(`/api/v1/webhooks/deliveries/${d.id}`).set(t.admin).expect(200);
    expect(detail.body.attemptLog).toEqual([
      expect.objectContaining({ outcome: 'timeout', statusCode: null, error: 'no complete answer within 300 ms' }),
    ]);
  });
});
