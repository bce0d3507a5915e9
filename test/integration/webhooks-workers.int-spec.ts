import { DataSource } from 'typeorm';
import { publishEvent } from '../factories/event.factory';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import { WebhookDeliveryProcessor, WebhookDispatcherProcessor } from 'src/modules/webhooks';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveriesOf, FAST_WEBHOOKS, waitForDelivery } from '../support/webhooks';

describe('webhook workers across processes', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('should deliver later, with exactly one success recorded, when a worker dies holding the lease', async () => {
    // Replica A runs no workers of its own: the test plays its worker, which claims a delivery and dies.
    const a = await createTestApp({
      env: {
        ...FAST_WEBHOOKS,
        WEBHOOK_WORKERS_ENABLED: 'false',
        WEBHOOK_LEASE_SECONDS: '1',
        WEBHOOK_TIMEOUT_MS: '500',
      },
    });
    let b: TestApp | undefined;
    try {
      const ep = await createWebhookEndpoint(a, { url: receiver.url('/crash') });
      const msgId = await publishEvent(a, 'model.promoted', { model: 'churn' });
      expect(await a.app.get(WebhookDispatcherProcessor).dispatchBatch()).toEqual({ events: 1, deliveries: 1 });
      const dying = a.app.get(WebhookDeliveryProcessor);
      const [claimed] = await dying.claim(10);
      expect(claimed).toMatchObject({ messageId: msgId, endpointId: ep.id, attempts: 1 });

      // Replica B starts with workers on the same database; it may take the delivery only once the lease expires.
      b = await createTestApp({
        databaseUrl: a.databaseUrl,
        env: { ...FAST_WEBHOOKS, WEBHOOK_LEASE_SECONDS: '1', WEBHOOK_TIMEOUT_MS: '500' },
      });
      const d = await waitForDelivery(b, msgId, ep.id, 'delivered');
      expect(d.attempts).toBe(2);
      expect(receiver.on('/crash')).toHaveLength(1);

      // The dead worker's late result is refused: its lease is gone.
      const late = await dying.complete(
        claimed,
        { outcome: 'success', statusCode: 200, error: null, body: null, retryAfter: undefined, durationMs: 1 },
        new Date(),
      );
      expect(late).toBe(false);
      const attempts = await b.app
        .get(DataSource)
        .query(`SELECT outcome FROM webhook_attempts WHERE "deliveryId" = $1`, [d.id]);
      expect(attempts).toEqual([{ outcome: 'success' }]);
    } finally {
      await b?.close();
      await a.close();
    }
  });

  it('should deliver later, with exactly one success recorded, when a process dies in the middle of the HTTP call', async () => {
    // The receiver holds the first request open; the process that sent it stops before any answer.
    receiver.respond = () => (receiver.on('/mid-flight').length === 1 ? { status: 200, hang: true } : { status: 200 });
    const slow = { ...FAST_WEBHOOKS, WEBHOOK_TIMEOUT_MS: '3000', WEBHOOK_LEASE_SECONDS: '4' };
    const owner = await createTestApp({ env: { ...slow, WEBHOOK_WORKERS_ENABLED: 'false' } });
    try {
      const ep = await createWebhookEndpoint(owner, { url: receiver.url('/mid-flight') });
      const dying = await createTestApp({ env: slow, databaseUrl: owner.databaseUrl });
      const msgId = await publishEvent(owner, 'model.promoted', { model: 'churn' });
      await waitFor(() => receiver.on('/mid-flight')[0], 'the first request to reach the receiver');
      await dying.app.close();

      const survivor = await createTestApp({ env: slow, databaseUrl: owner.databaseUrl });
      try {
        const d = await waitForDelivery(survivor, msgId, ep.id, 'delivered');
        expect(d.attempts).toBe(2);
        // At least once: the receiver saw the message twice, with one webhook-id to dedupe on.
        expect(receiver.on('/mid-flight').map((r) => r.headers['webhook-id'])).toEqual([msgId, msgId]);
        const attempts = await survivor.app
          .get(DataSource)
          .query(`SELECT outcome, attempt FROM webhook_attempts WHERE "deliveryId" = $1`, [d.id]);
        expect(attempts).toEqual([{ outcome: 'success', attempt: 2 }]);
      } finally {
        await survivor.close();
      }
    } finally {
      receiver.respond = () => ({ status: 200 });
      await owner.close();
    }
  });

  it('should deliver each message once per endpoint when two server processes share one database', async () => {
    receiver.respond = () => ({ status: 200, delayMs: 5 });
    const env = { ...FAST_WEBHOOKS, WEBHOOK_CONCURRENCY: '4' };
    const a = await createTestApp({ env });
    const b = await createTestApp({ env, databaseUrl: a.databaseUrl });
    try {
      const first = await createWebhookEndpoint(a, { url: receiver.url('/pair-1'), eventTypes: ['*'] });
      const second = await createWebhookEndpoint(b, { url: receiver.url('/pair-2'), eventTypes: ['model.*'] });
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const app = i % 2 ? a : b;
        // Several events per transaction, as a business transaction can publish more than one.
        const batch = await app.app.get(TxHost).withTransaction(async () => {
          const events = app.app.get(EventsService);
          const published: string[] = [];
          for (let j = 0; j < 5; j++) published.push(await events.publish('model.registered', { i, j } as never));
          return published;
        });
        ids.push(...batch);
      }
      await waitFor(
        async () => {
          const rows = await deliveriesOf(a, {});
          return rows.length === ids.length * 2 && rows.every((r) => r.status === 'delivered') ? true : undefined;
        },
        'every delivery to be delivered',
        30000,
      );
      for (const [path, ep] of [
        ['/pair-1', first],
        ['/pair-2', second],
      ] as const) {
        const got = receiver.on(path).map((r) => String(r.headers['webhook-id']));
        expect(got).toHaveLength(ids.length);
        expect(new Set(got)).toEqual(new Set(ids));
        expect((await deliveriesOf(a, { endpointId: ep.id })).every((d) => d.attempts === 1)).toBe(true);
      }
      // Both processes did part of the work.
      for (const app of [a, b]) {
        const text = (await app.http.get('/metrics').expect(200)).text;
        expect(text).toMatch(/webhook_deliveries_total\{outcome="success"\} [1-9]/);
      }
    } finally {
      await b.close();
      await a.close();
    }
  });
});
