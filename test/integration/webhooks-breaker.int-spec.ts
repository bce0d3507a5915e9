import { DataSource } from 'typeorm';
import { publishEvent } from '../factories/event.factory';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveriesOf, FAST_WEBHOOKS, waitForDelivery } from '../support/webhooks';

interface EndpointRow {
  enabled: boolean;
  disabledReason: string | null;
  breakerState: string;
  consecutiveFailures: number;
  breakerTrips: number;
  breakerRetryAt: Date | null;
  failingSince: Date | null;
}

const endpointRow = async (t: TestApp, id: string): Promise<EndpointRow> =>
  (await t.app.get(DataSource).query(`SELECT * FROM webhook_endpoints WHERE id = $1`, [id]))[0];

describe('webhook circuit breaker and endpoint disabling', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  describe('breaker', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        env: {
          ...FAST_WEBHOOKS,
          WEBHOOK_BREAKER_THRESHOLD: '3',
          WEBHOOK_BREAKER_OPEN_MS: '400',
          WEBHOOK_BREAKER_MAX_OPEN_MS: '5000',
          WEBHOOK_RETRY_SCHEDULE: '0,0.02,0.02,0.02,0.02,0.02,0.02,0.02,0.02,0.02,0.02,0.02',
        },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    it('should open after consecutive failures, defer without spending attempts, and close after a good probe', async () => {
      let healthy = false;
      receiver.respond = () => (healthy ? { status: 200 } : { status: 500 });
      const ep = await createWebhookEndpoint(t, { url: receiver.url('/breaker') });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await publishEvent(t, 'model.registered', { i }));

      const opened = await waitFor(async () => {
        const e = await endpointRow(t, ep.id);
        return e.breakerState === 'open' ? e : undefined;
      }, 'the breaker to open');
      expect(opened.consecutiveFailures).toBeGreaterThanOrEqual(3);
      expect(opened.breakerRetryAt).not.toBeNull();
      const api = await t.http.get(`/api/v1/webhooks/endpoints/${ep.id}`).set(t.admin).expect(200);
      expect(api.body.breaker).toMatchObject({ state: expect.stringMatching(/open/), retryAt: expect.any(String) });

      // A failed half-open probe reopens it, with a longer wait.
      await waitFor(async () => ((await endpointRow(t, ep.id)).breakerTrips >= 2 ? true : undefined), 'a failed probe');
      const reopened = await endpointRow(t, ep.id);
      expect(['open', 'half_open']).toContain(reopened.breakerState);

      healthy = true;
      for (const id of ids) await waitForDelivery(t, id, ep.id, 'delivered');
      const closed = await endpointRow(t, ep.id);
      expect(closed).toMatchObject({
        breakerState: 'closed',
        consecutiveFailures: 0,
        breakerTrips: 0,
        failingSince: null,
      });

      // Deferrals spent no attempt: every attempt a delivery counts is one the receiver saw and the log holds.
      const ds = t.app.get(DataSource);
      for (const d of await deliveriesOf(t, { endpointId: ep.id })) {
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM webhook_attempts WHERE "deliveryId" = $1`, [
          d.id,
        ]);
        expect(d.attempts).toBe(n);
      }
      const total = await ds.query(
        `SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a."deliveryId"
         WHERE d."endpointId" = $1`,
        [ep.id],
      );
      expect(receiver.on('/breaker')).toHaveLength(total[0].n);
      // With 4 deliveries failing and a schedule of 12 attempts, only the breaker can explain so few requests.
      expect(total[0].n).toBeLessThan(4 * 12);
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/webhook_deliveries_total\{outcome="deferred"\} [1-9]/);
    });
  });

  describe('disable after days of failure', () => {
    let t: TestApp;

    beforeAll(async () => {
      // 0.00002 days is 1.7 s of failing without a single success.
      t = await createTestApp({
        env: {
          ...FAST_WEBHOOKS,
          WEBHOOK_DISABLE_AFTER_DAYS: '0.00002',
          WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3',
        },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    it('should disable the endpoint and emit webhook.endpoint.disabled when it fails without success for too long', async () => {
      receiver.respond = (r) => (r.path === '/down' ? { status: 502 } : { status: 200 });
      const down = await createWebhookEndpoint(t, { url: receiver.url('/down'), eventTypes: ['model.*'] });
      const watcher = await createWebhookEndpoint(t, {
        url: receiver.url('/disabled-watch'),
        eventTypes: ['webhook.endpoint.disabled'],
      });
      const msgId = await publishEvent(t, 'model.registered', { model: 'x' });
      const e = await waitFor(async () => {
        const row = await endpointRow(t, down.id);
        return row.enabled ? undefined : row;
      }, 'the endpoint to be disabled');
      expect(e.disabledReason).toBe('failing');
      const [d] = await deliveriesOf(t, { messageId: msgId, endpointId: down.id });
      expect(d.status).toBe('failed');
      const notice = await waitFor(() => receiver.on('/disabled-watch')[0], 'the disabled notice');
      expect(JSON.parse(notice.body)).toMatchObject({
        type: 'webhook.endpoint.disabled',
        data: { endpointId: down.id, reason: 'failing' },
      });
      expect(watcher.id).toBeDefined();

      // Enabling it again resets its health; recover re-queues what failed meanwhile.
      receiver.respond = () => ({ status: 200 });
      const res = await t.http
        .patch(`/api/v1/webhooks/endpoints/${down.id}`)
        .set(t.admin)
        .send({ enabled: true })
        .expect(200);
      expect(res.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
      await t.http
        .post(`/api/v1/webhooks/endpoints/${down.id}/recover`)
        .set(t.admin)
        .send({ since: new Date(Date.now() - 60_000).toISOString() })
        .expect(202);
      await waitForDelivery(t, msgId, down.id, 'delivered');
    });
  });
});
