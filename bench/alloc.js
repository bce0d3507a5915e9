// Bytes of JS heap the server allocates per request, for single-row predict unrouted (?alias=production) and
// routed through a running A/B experiment (X-User-Id), and GET /health/live for comparison.
// What is measured is allocation, not time: the figures do not depend on how busy the machine is.
//
// How: the built server runs as `npm start` runs it (a 64 MB young generation) with bench/alloc-probe.js preloaded
// (`node -r`), which answers on its own port with V8's used heap size and the bytes every GC since the last mark
// freed (v8.GCProfiler). Bytes allocated between two marks = used(end) - used(start) + freed, exact with any number
// of GCs in between (checked against a loop of known allocations: within 2%). `--trace-gc-nvp`'s `allocated=` is
// the same quantity per GC (total size before it less after the previous one) but only counts up to the last GC.
// Each target gets WARMUP requests first (JIT, caches, pools), then REQUESTS requests between two marks,
// CONCURRENCY at a time over keep-alive
// HTTP/1.1 connections; the figure is bytes / REQUESTS. An idle window (no requests, IDLE_MS) shows what the server
// allocates by itself (timers, pollers, flushes); "less the idle rate" subtracts that rate times the window's length
// (the job and webhook pollers are slowed to once a minute here, so it is small either way).
// Predict requests send `Cache-Control: no-cache` (the model runs every time, as in bench:inference); the cache-hit
// row sends the same row without it.
// Usage: npm run bench:alloc (PROFILE=1 for where the bytes go, see `profile`; REQUESTS, CONCURRENCY; BENCH_PORT,
// BENCH_PG_PORT and PROBE_PORT to move it)
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');
const { benchServerEnv, sleep, startServer, stopServer } = require('./lib');
const { writeAll } = require('../test/fixtures/onnx-models.js');
const { apiClient, payload, registerModel, startExperiment } = require('./ab-setup');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'alloc');
const PORT = Number(process.env.BENCH_PORT || 3410);
const PROBE_PORT = Number(process.env.PROBE_PORT || PORT + 1);
const PG_PORT = process.env.BENCH_PG_PORT || '54372';
const KEY = 'bench-admin-key-0123456789abcdef';
const REQUESTS = Number(process.env.REQUESTS || 10_000);
const WARMUP = Number(process.env.WARMUP || 3_000);
// One at a time by default: with more, the micro-batcher merges a varying number of requests per model run and the
// figures move by ~2 kB from run to run.
const CONCURRENCY = Number(process.env.CONCURRENCY || 1);
const IDLE_MS = Number(process.env.IDLE_MS || 3_000);
const UNITS = 1000;
const BASE = `http://127.0.0.1:${PORT}`;
const auth = { authorization: `Bearer ${KEY}` };
const api = apiClient(BASE, KEY);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(target, n) {
  return new Promise((resolve, reject) => {
    const headers = { ...target.headers };
    if (target.body !== undefined) headers['content-length'] = Buffer.byteLength(target.body);
    if (target.routed) headers['x-user-id'] = `user-${n % UNITS}`;
    const req = http.request(`${BASE}${target.path}`, { method: target.method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`${target.path}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(target.body);
  });
}

async function run(target, count) {
  let next = 0;
  const worker = async () => {
    while (next < count) await send(target, next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function mark() {
  const res = await fetch(`http://127.0.0.1:${PROBE_PORT}/`);
  return res.json();
}

async function allocatedDuring(fn) {
  const start = await mark();
  const began = performance.now();
  await fn();
  const seconds = (performance.now() - began) / 1000;
  const end = await mark();
  return { bytes: end.used - start.used + end.freed, gcs: end.gcs, seconds };
}

/**
 * PROFILE=1: instead of the figures, a sampling heap profile of REQUESTS requests of each target that keeps
 * collected objects too, written to bench/.out/alloc/<n>.heapprofile (open in Chrome DevTools): where the bytes go.
 */
async function profile(targets) {
  const probe = `http://127.0.0.1:${PROBE_PORT + 1}/profile`;
  for (const [i, t] of targets.entries()) {
    await fetch(`${probe}/start`);
    await run(t, REQUESTS);
    writeFileSync(join(OUT, `${i}.heapprofile`), await (await fetch(`${probe}/stop`)).text());
    console.log(`${t.who}: ${join(OUT, `${i}.heapprofile`)}`);
  }
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const [logisticPath] = writeAll(join(OUT, 'models'));
  const server = await startServer(
    'node',
    [
      '--max-semi-space-size=64',
      '--min-semi-space-size=64',
      '-r',
      join(__dirname, 'alloc-probe.js'),
      join(ROOT, 'dist', 'src', 'main.js'),
    ],
    // The job and webhook pollers query the database on timers: allocation per second, not per request, which
    // would otherwise land in every window in proportion to how long it took (so to how busy the machine was).
    benchServerEnv(
      { dir: OUT, port: PORT, pgPort: PG_PORT, key: KEY },
      { ALLOC_PROBE_PORT: String(PROBE_PORT), JOBS_POLL_INTERVAL_MS: '60000', WEBHOOK_POLL_INTERVAL_MS: '60000' },
    ),
    `${BASE}/health/ready`,
  );
  try {
    await registerModel(api, 'plain', logisticPath, 1);
    await registerModel(api, 'ab', logisticPath, 2);
    await startExperiment(api, 'ab', 'alloc');
    const predict = { 'content-type': 'application/json', ...auth };
    const targets = [
      { who: 'GET /health/live', method: 'GET', path: '/health/live', headers: {} },
      {
        who: 'predict, unrouted (?alias=production, no-cache)',
        method: 'POST',
        path: '/api/v1/models/plain/predict?alias=production',
        headers: { ...predict, 'cache-control': 'no-cache' },
        body: payload,
      },
      {
        who: 'predict, unrouted, cache hit',
        method: 'POST',
        path: '/api/v1/models/plain/predict?alias=production',
        headers: predict,
        body: payload,
      },
      {
        who: 'predict, routed (X-User-Id, no-cache)',
        method: 'POST',
        path: '/api/v1/models/ab/predict',
        headers: { ...predict, 'cache-control': 'no-cache' },
        body: payload,
        routed: true,
      },
    ];
    for (const t of targets) await run(t, WARMUP);
    if (process.env.PROFILE) return await profile(targets);
    await sleep(500);
    const idle = await allocatedDuring(() => sleep(IDLE_MS));
    const rows = [];
    for (const t of targets) {
      const m = await allocatedDuring(() => run(t, REQUESTS));
      const background = idle.bytes * (m.seconds / idle.seconds);
      rows.push({
        who: t.who,
        perRequest: Math.round(m.bytes / REQUESTS),
        net: Math.round((m.bytes - background) / REQUESTS),
        gcs: m.gcs,
      });
    }
    console.log(
      `\n${REQUESTS} requests each after ${WARMUP} warm-up, ${CONCURRENCY} at a time (node ${process.version})\n`,
    );
    const n = (x) => x.toLocaleString('en');
    console.log('| request | bytes per request | less the idle rate | GCs in the window |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.who} | ${n(r.perRequest)} | ${n(r.net)} | ${r.gcs} |`);
    console.log(`\nidle: ${n(Math.round(idle.bytes / idle.seconds))} bytes a second (${idle.gcs} GCs)`);
  } finally {
    agent.destroy();
    await stopServer(server.child);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
