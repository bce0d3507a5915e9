import { DataSource } from 'typeorm';
import { publishEvent } from '../factories/event.factory';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { FAST_WEBHOOKS, waitForDelivery } from '../support/webhooks';

describe('webhook SSRF protection', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  describe('with private addresses refused (the default)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        env: { ...FAST_WEBHOOKS, WEBHOOK_ALLOW_PRIVATE: 'false', WEBHOOK_RETRY_SCHEDULE: '0' },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    const port = () => receiver.port;
    const targets: [string, () => string, RegExp][] = [
      ['loopback IPv4', () => `http://127.0.0.1:${port()}/ssrf`, /loopback/],
      ['loopback IPv4 written as a number', () => `http://2130706433:${port()}/ssrf`, /loopback/],
      ['loopback IPv6', () => `http://[::1]:${port()}/ssrf`, /loopback/],
      ['a name resolving to loopback (checked at connect time)', () => `http://localhost:${port()}/ssrf`, /loopback/],
      ['RFC 1918 10/8', () => 'http://10.0.0.1/ssrf', /private/],
      ['RFC 1918 172.16/12', () => 'http://172.16.0.1/ssrf', /private/],
      ['RFC 1918 192.168/16', () => 'http://192.168.1.1/ssrf', /private/],
      ['link-local cloud metadata', () => 'http://169.254.169.254/latest/meta-data', /linkLocal/],
      ['link-local IPv6', () => 'http://[fe80::1]/ssrf', /linkLocal/],
      ['CGNAT 100.64/10', () => 'http://100.64.0.1/ssrf', /carrierGradeNat/],
      ['unique-local fc00::/7', () => 'http://[fc00::1]/ssrf', /uniqueLocal/],
      ['unique-local fd00::/8', () => 'http://[fd12:3456::1]/ssrf', /uniqueLocal/],
      ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/ssrf`, /ipv4Mapped/],
      ['0.0.0.0', () => `http://0.0.0.0:${port()}/ssrf`, /unspecified/],
      ['0.0.0.0/8', () => 'http://0.1.2.3/ssrf', /unspecified/],
      ['IPv4 multicast', () => 'http://224.0.0.1/ssrf', /multicast/],
      ['IPv6 multicast', () => 'http://[ff02::1]/ssrf', /multicast/],
    ];

    it.each(targets)(
      'should refuse the delivery and log it as refused when the target is %s',
      async (_name, url, range) => {
        const ep = await createWebhookEndpoint(t, { url: url(), eventTypes: ['model.registered'] });
        const msgId = await publishEvent(t, 'model.registered', { model: 'x' });
        const d = await waitForDelivery(t, msgId, ep.id, 'failed');
        const detail = await t.http.get(`/api/v1/webhooks/deliveries/${d.id}`).set(t.admin).expect(200);
        expect(detail.body.attemptLog).toHaveLength(1);
        expect(detail.body.attemptLog[0]).toMatchObject({ outcome: 'refused', statusCode: null });
        expect(detail.body.attemptLog[0].error).toMatch(range);
        expect(receiver.on('/ssrf')).toHaveLength(0);
        // Each endpoint here takes every model.registered event; disable it so the next case starts clean.
        await t.http.patch(`/api/v1/webhooks/endpoints/${ep.id}`).set(t.admin).send({ enabled: false }).expect(200);
      },
    );

    it('should refuse a non-http scheme when the endpoint is created', async () => {
      const res = await t.http
        .post('/api/v1/webhooks/endpoints')
        .set(t.admin)
        .send({ url: 'file:///etc/passwd', eventTypes: ['*'] })
        .expect(400);
      expect(res.body).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' });
      const refused = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM webhook_endpoints`);
      expect(refused[0].n).toBe(targets.length);
    });
  });

  describe('redirects', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { ...FAST_WEBHOOKS, WEBHOOK_RETRY_SCHEDULE: '0' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('should not follow a redirect to a private address when the receiver answers 302', async () => {
      receiver.respond = (r) =>
        r.path === '/redirect'
          ? { status: 302, headers: { location: `http://127.0.0.1:${receiver.port}/internal-admin` } }
          : { status: 200 };
      const ep = await createWebhookEndpoint(t, { url: receiver.url('/redirect') });
      const msgId = await publishEvent(t, 'model.registered', { model: 'x' });
      const d = await waitForDelivery(t, msgId, ep.id, 'failed');
      const detail = await t.http.get(`/api/v1/webhooks/deliveries/${d.id}`).set(t.admin).expect(200);
      expect(detail.body.attemptLog[0]).toMatchObject({ outcome: 'http_error', statusCode: 302 });
      expect(detail.body.attemptLog[0].error).toMatch(/redirects are not followed/);
      expect(receiver.on('/redirect')).toHaveLength(1);
      expect(receiver.on('/internal-admin')).toHaveLength(0);
    });
  });
});
