// A/B routing cost: routed single-row predict (an experiment running, a unit header) against unrouted predict on
// the same model (`?alias=production`, no routing), and the served p99 with the shadow at 100%.
// Loopback only; the targets take turns, ROUNDS rounds of SLICE seconds each; each figure is the median.
// Routed requests rotate through UNITS (1,000) user ids, so both variants serve and most units return.
// Usage: npm run bench:experiments
// Ports can be moved (BENCH_PORT, BENCH_PG_PORT) when several checkouts run benches on one machine.
const { mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { benchServerEnv, cpuMs, load, loadWrk, LOADGEN, postgresCpuMs, startServer, stopServer } = require('./lib');
const { writeAll } = require('../test/fixtures/onnx-models.js');
const { apiClient, payload, registerModel, startExperiment } = require('./ab-setup');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'experiments');
const PORT = Number(process.env.BENCH_PORT || 3296);
const PG_PORT = process.env.BENCH_PG_PORT || '54398';
const KEY = 'bench-admin-key-0123456789abcdef';
const ROUNDS = Number(process.env.ROUNDS || 3);
const SLICE = Number(process.env.SLICE || 4);
const BASE = `http://127.0.0.1:${PORT}`;
const auth = { authorization: `Bearer ${KEY}` };
const api = apiClient(BASE, KEY);

/** Routed targets rotate through UNITS user ids (returning users of both variants), not one user. */
const UNITS = Number(process.env.UNITS || 1000);

/** CPU per answered request (µs) of the server process and of PostgreSQL: steadier than req/s on a shared machine. */
async function measureCpu(serverPid, url, headers) {
  const before = { server: cpuMs(serverPid), pg: postgresCpuMs(join(OUT, 'pg')), client: cpuMs(process.pid) };
  const r = await measure(url, headers);
  const requests = r.rps * SLICE;
  return {
    ...r,
    clientUs: Math.round(((cpuMs(process.pid) - before.client) * 1000) / requests),
    serverUs: Math.round(((cpuMs(serverPid) - before.server) * 1000) / requests),
    pgUs: Math.round(((postgresCpuMs(join(OUT, 'pg')) - before.pg) * 1000) / requests),
  };
}

function measure(url, headers, duration = SLICE) {
  const { 'x-user-id': unit, ...fixed } = headers;
  let next = 0;
  const opts = {
    url,
    method: 'POST',
    connections: 64,
    duration,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...auth, ...fixed },
    body: payload,
    ...(unit
      ? {
          requests: [
            {
              setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-user-id': `user-${next++ % UNITS}` } }),
            },
          ],
        }
      : {}),
  };
  if (unit && LOADGEN === 'wrk') {
    opts.bodyScript = `local n = 0\nrequest = function()\n  n = n + 1\n  wrk.headers["x-user-id"] = "user-" .. (n % ${UNITS})\n  return wrk.format()\nend`;
  }
  return LOADGEN === 'wrk' ? loadWrk(opts) : load(opts);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const [logisticPath] = writeAll(join(OUT, 'models'));
  const server = await startServer(
    'node',
    ['--max-semi-space-size=64', '--min-semi-space-size=64', join(ROOT, 'dist', 'src', 'main.js')],
    benchServerEnv({ dir: OUT, port: PORT, pgPort: PG_PORT, key: KEY }),
    `${BASE}/health/ready`,
  );
  try {
    await registerModel(api, 'ab', logisticPath, 2);
    await registerModel(api, 'abs', logisticPath, 3);
    await startExperiment(api, 'ab', 'bench', false);
    await startExperiment(api, 'abs', 'bench', true);
    const targets = [
      // The same rotating X-User-Id as the routed targets (a request naming an alias is not routed): the load
      // generator does the same work for every target, so the figures differ by the server's routing alone.
      {
        who: 'unrouted (?alias=production)',
        url: `${BASE}/api/v1/models/ab/predict?alias=production`,
        headers: { 'x-user-id': 'rotating' },
      },
      { who: 'routed (X-User-Id)', url: `${BASE}/api/v1/models/ab/predict`, headers: { 'x-user-id': 'rotating' } },
      { who: 'routed, shadow 100%', url: `${BASE}/api/v1/models/abs/predict`, headers: { 'x-user-id': 'rotating' } },
    ];
    for (const t of targets) await measure(t.url, t.headers, 1);
    const runs = targets.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, t] of targets.entries()) runs[i].push(await measureCpu(server.child.pid, t.url, t.headers));
    }
    const figures = targets.map((t, i) => ({
      who: t.who,
      rps: median(runs[i].map((r) => r.rps)),
      p50: median(runs[i].map((r) => r.p50)),
      p99: median(runs[i].map((r) => r.p99)),
      non2xx: runs[i].reduce((n, r) => n + r.non2xx, 0),
      serverUs: median(runs[i].map((r) => r.serverUs)),
      pgUs: median(runs[i].map((r) => r.pgUs)),
      clientUs: median(runs[i].map((r) => r.clientUs)),
    }));
    console.log(`\nlogreg 1 row, 64 conns, ${ROUNDS} rounds of ${SLICE} s (${LOADGEN})\n`);
    console.log('| target | req/s | p50 ms | p99 ms | non-2xx | CPU µs/req: server | PostgreSQL | load generator |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const f of figures) {
      console.log(
        `| ${f.who} | ${f.rps} | ${f.p50} | ${f.p99} | ${f.non2xx} | ${f.serverUs} | ${f.pgUs} | ${LOADGEN === 'wrk' ? 'n/a' : f.clientUs} |`,
      );
    }
    const [plain, routed, shadow] = figures;
    const metrics = await (await fetch(`${BASE}/metrics`, { headers: auth })).text();
    const shadowLine = (r) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith('experiment_shadow_total{') && l.includes(`result="${r}"`))
        .map((l) => Number(l.split(' ').pop()))
        .reduce((a, b) => a + b, 0);
    console.log('\n| goal | measured |');
    console.log('|---|---|');
    console.log(`| routed / unrouted req/s >= 0.90 | ${(routed.rps / plain.rps).toFixed(2)} |`);
    console.log(`| served p99 with shadow 100% / without: <= 1.20 | ${(shadow.p99 / routed.p99).toFixed(2)} |`);
    console.log(
      `\nshadow runs: agreed ${shadowLine('agreed')}, disagreed ${shadowLine('disagreed')}, error ${shadowLine('error')}, dropped ${shadowLine('dropped')}`,
    );
  } finally {
    await stopServer(server.child);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
