// Webhook benchmark (plain Node, on the compiled app in dist/): `npm run bench:webhooks`.
//
// 1. Publishing cost: business transactions (an INSERT) with and without a published event; reports the p95 of
//    the publish call inside the transaction and the p95 difference of whole transactions.
// 2. Delivery throughput: writes WEBHOOK_BENCH_EVENTS events at once for one endpoint on a local receiver and
//    measures deliveries per second from that commit until the last is recorded delivered (dispatch, claim, sign,
//    POST, record), with the default worker settings (WEBHOOK_CONCURRENCY=64, WEBHOOK_POLL_INTERVAL_MS=250).
//
// It starts its own throwaway PostgreSQL (the embedded binaries, default settings, fsync on) and HTTP receiver.
require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const http = require('node:http');
const { mkdtempSync, mkdirSync, rmSync, chmodSync } = require('node:fs');
const { createServer } = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');
const { NestFactory } = require('@nestjs/core');
const { DataSource } = require('typeorm');
const { AppModule } = require('../dist/src/app.module');
const { validateEnvironment } = require('../dist/src/platform/config');
const { EmbeddedPostgres, TxHost } = require('../dist/src/platform/database');
const { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } = require('../dist/src/platform/http');
const { EventsService, newMessageId } = require('../dist/src/platform/events');

const EVENTS = Number(process.env.WEBHOOK_BENCH_EVENTS ?? 10000);
const PUBLISH_ROUNDS = Number(process.env.WEBHOOK_BENCH_PUBLISH_ROUNDS ?? 2000);
const ADMIN_KEY = `bench-admin-${randomBytes(12).toString('hex')}`;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (x) => `${x.toFixed(3)} ms`;

async function main() {
  mkdirSync('.data', { recursive: true });
  const tmp = mkdtempSync(join('.data', 'bench-webhooks-'));
  chmodSync(tmp, 0o755);
  const pg = new EmbeddedPostgres({ dataDir: join(tmp, 'pg'), port: await freePort() });
  const url = await pg.start();

  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  receiver.keepAliveTimeout = 60000;
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  const config = validateEnvironment({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    LOG_HTTP_REQUESTS: 'false',
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_ENABLED: 'false',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex'),
    CHAIN_ENABLED: 'false',
  });
  const app = await NestFactory.create(AppModule.forRoot({ config, databaseUrl: url }), createFastifyAdapter(config), {
    ...NEST_APP_OPTIONS,
    logger: ['error'],
  });
  configureApp(app);
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  const ds = app.get(DataSource);
  const txHost = app.get(TxHost);
  const events = app.get(EventsService);

  try {
    // 1. What publishing adds to a business transaction (no endpoint yet, so nothing is delivered meanwhile).
    await ds.query('CREATE TABLE bench_orders (id serial PRIMARY KEY, body jsonb NOT NULL)');
    const plain = [];
    const withEvent = [];
    const publishCall = [];
    for (let i = 0; i < PUBLISH_ROUNDS + 200; i++) {
      const warm = i < 200;
      let t0 = performance.now();
      await txHost.withTransaction(async () => {
        await txHost.tx.query('INSERT INTO bench_orders (body) VALUES ($1)', [{ i, kind: 'plain' }]);
      });
      if (!warm) plain.push(performance.now() - t0);
      t0 = performance.now();
      await txHost.withTransaction(async () => {
        await txHost.tx.query('INSERT INTO bench_orders (body) VALUES ($1)', [{ i, kind: 'event' }]);
        const p0 = performance.now();
        await events.publish('model.version.created', { model: 'churn', version: i }, { modelName: 'churn' });
        if (!warm) publishCall.push(performance.now() - p0);
      });
      if (!warm) withEvent.push(performance.now() - t0);
    }
    await sleep(1000); // let the dispatcher mark those events dispatched (to no endpoint)

    // 2. Delivery throughput with the default worker settings.
    const created = await fastify.inject({
      method: 'POST',
      url: '/api/v1/webhooks/endpoints',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload: { url: `http://127.0.0.1:${receiver.address().port}/hook`, eventTypes: ['contribution.*'] },
    });
    if (created.statusCode !== 201) throw new Error(`could not create the endpoint: ${created.body}`);
    const endpointId = JSON.parse(created.body).id;
    // The events are written in one bulk transaction (the publish cost is measured above), so the clock below
    // measures the webhook machinery: dispatch, claim, sign, POST, record.
    const ids = Array.from({ length: EVENTS }, () => newMessageId());
    const data = ids.map((_, j) => JSON.stringify({ evaluationId: `ev-${j}`, deltaBps: 120 }));
    const started = performance.now();
    await ds.query(
      `INSERT INTO events (id, type, data) SELECT id, 'contribution.rewarded', d::jsonb FROM unnest($1::varchar[], $2::text[]) AS x(id, d)`,
      [ids, data],
    );
    const published = performance.now();
    let delivered = 0;
    for (;;) {
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE "endpointId" = $1 AND status = 'delivered'`,
        [endpointId],
      );
      delivered = n;
      if (delivered >= EVENTS) break;
      if (performance.now() - started > 300000) throw new Error(`only ${delivered} of ${EVENTS} delivered in 5 min`);
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1000;

    const p95Plain = percentile(plain, 95);
    const p95With = percentile(withEvent, 95);
    const cpus = os.cpus();
    process.stdout.write(
      [
        `machine: ${cpus.length} x ${cpus[0].model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL (embedded, default settings, fsync on)`,
        ``,
        `publishing (${PUBLISH_ROUNDS} transactions each way, after 200 warm-up):`,
        `  publish() call inside the transaction: p50 ${ms(percentile(publishCall, 50))}, p95 ${ms(percentile(publishCall, 95))}`,
        `  transaction without event: p50 ${ms(percentile(plain, 50))}, p95 ${ms(p95Plain)}`,
        `  transaction with event:    p50 ${ms(percentile(withEvent, 50))}, p95 ${ms(p95With)}`,
        `  p95 added to the transaction: ${ms(p95With - p95Plain)}`,
        ``,
        `delivery (${EVENTS} events to 1 endpoint on a local receiver, default workers: concurrency ${config.WEBHOOK_CONCURRENCY}, poll ${config.WEBHOOK_POLL_INTERVAL_MS} ms):`,
        `  events committed in ${((published - started) / 1000).toFixed(2)} s; all delivered after ${seconds.toFixed(2)} s`,
        `  ${Math.round(EVENTS / seconds)} deliveries/s end to end (receiver counted ${received} requests)`,
        ``,
      ].join('\n'),
    );
  } finally {
    await app.close();
    await new Promise((resolve) => receiver.close(resolve));
    pg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
