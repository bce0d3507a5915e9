// Inference figures, side by side with a bare node:http + onnxruntime-node server (bench/limit-predict-server.js)
// doing the same predict with the same model. Loopback only; every load runs for SLICE seconds and stops.
// Usage: npm run bench:inference (ROUNDS and SLICE, in seconds, set how long each server is loaded; ONLY=text runs
// only the scenarios whose name holds that text)
const { mkdirSync, readFileSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const { benchServerEnv, load, loadWrk, LOADGEN, startServer, stopServer } = require('./lib');
const { writeAll } = require('../test/fixtures/onnx-models.js');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'inference');
const PORT = 3196;
const LIMIT_PORT = 3197;
// The limit server again, merging the requests read in one event-loop turn into one run (BATCH=1): what batching
// alone gives on this machine, for the MLP on/off figure.
const LIMIT_BATCHED_PORT = 3198;
const KEY = 'bench-admin-key-0123456789abcdef';
const UNBATCHED_PORT = 3195;
const ROUNDS = Number(process.env.ROUNDS || 5);
const SLICE = Number(process.env.SLICE || 4);
const BASE = `http://127.0.0.1:${PORT}`;
const NODE_FLAGS = ['--max-semi-space-size=64', '--min-semi-space-size=64'];
const auth = { authorization: `Bearer ${KEY}` };

const serverEnv = (extra = {}) => benchServerEnv({ dir: OUT, port: PORT, pgPort: 54397, key: KEY }, extra);

async function api(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
    body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function register(base, name, file, features) {
  await api(base, 'POST', '/api/v1/models', {
    name,
    tokenId: name.toUpperCase(),
    benchmarkMetric: 'accuracy',
    benchmarkValue: 0.8,
    labelColumn: 'label',
  }).catch((e) => {
    if (!/409/.test(e.message)) throw e;
  });
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), 'model.onnx');
  form.append(
    'metadata',
    JSON.stringify({ features: Array.from({ length: features }, (_, i) => ({ name: `f${i}`, type: 'float' })) }),
  );
  const v = await api(base, 'POST', `/api/v1/models/${name}/versions`, form);
  await api(base, 'POST', `/api/v1/models/${name}/promote`, { version: v.version });
  return v.version;
}

const row = (k, seed = 1) => Array.from({ length: k }, (_, j) => Math.round(Math.sin(seed * 31 + j) * 1000) / 1000);
/** Row n of the new-row scenarios: six decimals keep millions of them distinct (three repeat after ~55,000). */
const newRow = (k, n) => Array.from({ length: k }, (_, j) => Math.round(Math.sin(n * 31 + j) * 1e6) / 1e6);
const body = (k, rows) => JSON.stringify({ instances: Array.from({ length: rows }, (_, i) => row(k, i + 1)) });

/**
 * Rows made so far for the new-row scenarios, across all their loads: a row is never sent twice, so the cache-miss
 * scenario measures misses (rows counted from 0 again in every load came back as hits from its earlier rounds).
 */
let rowsMade = 0;

/** Lua for wrk: a new k-value row in every request (the cache-miss scenarios), numbered on from `from`. */
const newRowLua = (k, from) => `
local n = ${from}
request = function()
  n = n + 1
  local v = {}
  for j = 1, ${k} do v[j] = string.format("%.6f", math.sin(n * 31 + j)) end
  return wrk.format(nil, nil, nil, '{"instances":[[' .. table.concat(v, ",") .. ']]}')
end`;

async function measure(url, payload, connections, extra = {}, duration = SLICE) {
  const opts = {
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...auth, ...(extra.headers || {}) },
    body: payload,
  };
  const k = extra.newRowEachTime;
  if (LOADGEN === 'wrk') {
    rowsMade += 10_000_000; // more requests than one load makes
    return loadWrk({ ...opts, bodyScript: k ? newRowLua(k, rowsMade) : undefined });
  }
  const setupRequest = (req) => ({ ...req, body: JSON.stringify({ instances: [newRow(k, ++rowsMade)] }) });
  return load({ ...opts, ...(k ? { requests: [{ setupRequest }] } : {}) });
}

/**
 * The result cache on one model, four ways taking turns: the same row with `no-cache` and as cache hits, and a
 * new row each time with `no-cache` and as cache misses (so a miss is compared with the same load's cost).
 */
function cacheScenario(name, payload, k) {
  const what = `cache, ${name} 1 row, 64 conns`;
  const url = `${BASE}/api/v1/models/${name}/predict`;
  const on = { 'cache-control': '' };
  return [
    { who: 'ours (no-cache)', what, url, payload, connections: 64 },
    { who: 'ours (hits)', what, url, payload, connections: 64, extra: { headers: on } },
    { who: 'ours (no-cache, new rows)', what, url, payload, connections: 64, extra: { newRowEachTime: k } },
    { who: 'ours (misses, new rows)', what, url, payload, connections: 64, extra: { headers: on, newRowEachTime: k } },
  ];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The servers of one scenario take turns: ROUNDS rounds of SLICE seconds each, so that whatever else the machine
 * does falls on all of them alike; each figure is the median of its rounds.
 */
async function sideBySide(targets) {
  if (process.env.ONLY && !targets[0].what.includes(process.env.ONLY)) return [];
  const runs = targets.map(() => []);
  for (const t of targets) await measure(t.url, t.payload, t.connections, t.extra, 1); // warm-up, not counted
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) {
      const pid = serverPids.get(new URL(t.url).port);
      const before = cpuSeconds(pid);
      const mainBefore = cpuSeconds(pid, pid);
      const r = await measure(t.url, t.payload, t.connections, t.extra);
      const answered = Math.max(r.rps * SLICE, 1);
      r.cpuUs = ((cpuSeconds(pid) - before) * 1e6) / answered;
      r.mainUs = ((cpuSeconds(pid, pid) - mainBefore) * 1e6) / answered;
      runs[i].push(r);
    }
  }
  return targets.map((t, i) => [
    t.who,
    t.what,
    {
      rps: median(runs[i].map((r) => r.rps)),
      p50: median(runs[i].map((r) => r.p50)),
      p99: median(runs[i].map((r) => r.p99)),
      cpuUs: Math.round(median(runs[i].map((r) => r.cpuUs))),
      mainUs: Math.round(median(runs[i].map((r) => r.mainUs))),
      non2xx: runs[i].reduce((n, r) => n + r.non2xx, 0),
      errors: runs[i].reduce((n, r) => n + r.errors, 0),
    },
  ]);
}

/** Port -> pid of the server listening there, for the CPU each one spends per request. */
const serverPids = new Map();
const CLOCK_TICKS = 100;

/** CPU time (user + system) a process has used, every thread, or only thread `tid` (its main thread: the pid). */
function cpuSeconds(pid, tid) {
  const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const [logisticPath, mlpPath] = writeAll(join(OUT, 'models'));
  const mlpMb = statSync(mlpPath).size / 2 ** 20;
  const row16 = body(16, 1);
  const row64 = body(64, 1);
  const batch256 = body(16, 256);

  // All three servers run for the whole benchmark and take turns under load (see sideBySide).
  const limit = await startServer(
    'node',
    [...NODE_FLAGS, join(__dirname, 'limit-predict-server.js')],
    { PORT: String(LIMIT_PORT), MODELS: `logreg=${logisticPath},mlp=${mlpPath}` },
    `http://127.0.0.1:${LIMIT_PORT}/health`,
    60_000,
  );
  const limitBatched = await startServer(
    'node',
    [...NODE_FLAGS, join(__dirname, 'limit-predict-server.js')],
    { PORT: String(LIMIT_BATCHED_PORT), MODELS: `mlp=${mlpPath}`, BATCH: '1' },
    `http://127.0.0.1:${LIMIT_BATCHED_PORT}/health`,
    60_000,
  );
  // As `npm start` and the Dockerfile run the server; the limit server gets the same young generation.
  const node = [...NODE_FLAGS, join(ROOT, 'dist', 'src', 'main.js')];
  const server = await startServer('node', node, serverEnv(), `${BASE}/health/ready`);
  const unbatched = await startServer(
    'node',
    node,
    serverEnv({
      PORT: String(UNBATCHED_PORT),
      EMBEDDED_PG_PORT: '54398',
      EMBEDDED_PG_DIR: join(OUT, 'pg-unbatched'),
      EMBEDDED_CHAIN_DIR: join(OUT, 'anvil-unbatched'),
      BATCHING_ENABLED: 'false',
    }),
    `http://127.0.0.1:${UNBATCHED_PORT}/health/ready`,
  );
  serverPids.set(String(LIMIT_PORT), limit.child.pid);
  serverPids.set(String(LIMIT_BATCHED_PORT), limitBatched.child.pid);
  serverPids.set(String(PORT), server.child.pid);
  serverPids.set(String(UNBATCHED_PORT), unbatched.child.pid);
  for (const base of [BASE, `http://127.0.0.1:${UNBATCHED_PORT}`]) {
    await register(base, 'logreg', logisticPath, 16);
    await register(base, 'mlp', mlpPath, 64);
  }
  const lim = (name) => `http://127.0.0.1:${LIMIT_PORT}/api/v1/models/${name}/predict`;
  const ours = (name) => `${BASE}/api/v1/models/${name}/predict`;
  const off = (name) => `http://127.0.0.1:${UNBATCHED_PORT}/api/v1/models/${name}/predict`;
  for (const url of [ours('mlp'), ours('logreg'), off('mlp')]) {
    const payload = url.includes('mlp') ? row64 : row16;
    await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: payload });
  }
  const pair = (what, name, payload, connections) => [
    { who: 'limit', what, url: lim(name), payload, connections },
    { who: 'ours', what, url: ours(name), payload, connections },
  ];
  const results = [
    ...(await sideBySide(pair('logreg 1 row, 16 conns', 'logreg', row16, 16))),
    ...(await sideBySide(pair('logreg 1 row, 64 conns', 'logreg', row16, 64))),
    ...(await sideBySide([
      { who: 'limit', what: 'mlp 1 row, 64 conns', url: lim('mlp'), payload: row64, connections: 64 },
      {
        who: 'limit (batching)',
        what: 'mlp 1 row, 64 conns',
        url: `http://127.0.0.1:${LIMIT_BATCHED_PORT}/api/v1/models/mlp/predict`,
        payload: row64,
        connections: 64,
      },
      { who: 'ours (batching on)', what: 'mlp 1 row, 64 conns', url: ours('mlp'), payload: row64, connections: 64 },
      { who: 'ours (batching off)', what: 'mlp 1 row, 64 conns', url: off('mlp'), payload: row64, connections: 64 },
    ])),
    ...(await sideBySide(pair('logreg 256 rows, 16 conns', 'logreg', batch256, 16))),
    ...(await sideBySide(cacheScenario('logreg', row16, 16))),
    ...(await sideBySide(cacheScenario('mlp', row64, 64))),
  ];

  // Ten more MLP versions loaded: resident memory of the server.
  const before = rssOf(server.child.pid);
  for (let i = 0; i < 10; i++) {
    const name = `mlp-${i}`;
    await register(BASE, name, mlpPath, 64);
    await api(BASE, 'POST', `/api/v1/models/${name}/predict`, JSON.parse(row64));
  }
  const after = rssOf(server.child.pid);
  const warnings = [server, unbatched].flatMap((s) =>
    s
      .output()
      .split('\n')
      .filter((l) => /warn/i.test(l)),
  );
  await Promise.all([server, unbatched, limit, limitBatched].map((s) => stopServer(s.child)));
  rmSync(OUT, { recursive: true, force: true });

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nMachine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; medians of ${ROUNDS} rounds of ${SLICE} s per server, servers taking turns; load from ${LOADGEN}\n`,
  );
  console.log(
    '| server | scenario | req/s | rows/s | p50 ms | p99 ms | CPU µs/req | main thread µs/req | main thread busy | non-2xx | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [who, what, r] of results) {
    const rows = /256 rows/.test(what) ? r.rps * 256 : r.rps;
    const busy = `${Math.round((r.mainUs * r.rps) / 1e4)}%`;
    const cells = [who, what, r.rps, rows, r.p50, r.p99, r.cpuUs, r.mainUs, busy, r.non2xx, r.errors];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const find = (who, what) =>
    (results.find(([w, s]) => w === who && s === what) ?? [null, null, { rps: NaN, p99: NaN, cpuUs: NaN }])[2];
  const ratio = (a, b) => (a / b).toFixed(2);
  const single = ['ours', 'logreg 1 row, 64 conns'];
  const mlp = 'mlp 1 row, 64 conns';
  console.log('\n| goal | measured |');
  console.log('|---|---|');
  console.log(
    `| single row at 64 conns: >= 0.90 of the limit's req/s | ${ratio(find(...single).rps, find('limit', single[1]).rps)} |`,
  );
  console.log(`| ... and p99 <= 2x the limit's | ${ratio(find(...single).p99, find('limit', single[1]).p99)}x |`);
  console.log(
    `| MLP at 64 conns, batching on / off: >= 2x | ${ratio(find('ours (batching on)', mlp).rps, find('ours (batching off)', mlp).rps)}x |`,
  );
  console.log(
    `| ... the limit server's own batching, on / off (for comparison) | ${ratio(find('limit (batching)', mlp).rps, find('limit', mlp).rps)}x |`,
  );
  console.log(
    `| ... CPU per request (every thread), off / on, ours and the limit server's (for comparison) | ${ratio(find('ours (batching off)', mlp).cpuUs, find('ours (batching on)', mlp).cpuUs)}x, ${ratio(find('limit', mlp).cpuUs, find('limit (batching)', mlp).cpuUs)}x |`,
  );
  console.log(
    `| 256-row batches: >= 0.70 of the limit's rows/s | ${ratio(find('ours', 'logreg 256 rows, 16 conns').rps, find('limit', 'logreg 256 rows, 16 conns').rps)} |`,
  );
  for (const [name, goal] of [
    ['mlp', 1.5],
    ['logreg', 1.0],
  ]) {
    const what = `cache, ${name} 1 row, 64 conns`;
    const [hits, plain] = [find('ours (hits)', what), find('ours (no-cache)', what)];
    const [misses, fresh] = [find('ours (misses, new rows)', what), find('ours (no-cache, new rows)', what)];
    console.log(
      `| ${name}: cache hits / no-cache, same row: >= ${goal.toFixed(1)}x (CPU per request, no-cache / hits) | ${ratio(hits.rps, plain.rps)}x (${ratio(plain.cpuUs, hits.cpuUs)}x) |`,
    );
    console.log(
      `| ${name}: cache misses / no-cache, new row each time: >= 0.91 (CPU per request, misses / no-cache: <= 1.10x) | ${ratio(misses.rps, fresh.rps)} (${ratio(misses.cpuUs, fresh.cpuUs)}x) |`,
    );
  }
  const cpuRatio = (what) => ratio(find('limit', what).cpuUs, find('ours', what).cpuUs);
  console.log(
    `\nCPU per request (all threads), the limit's over ours (1.0 = as cheap): single row ${cpuRatio(single[1])}, 256 rows ${cpuRatio('logreg 256 rows, 16 conns')}`,
  );
  if (warnings.length) console.log(`\nServer warnings during the run:\n${warnings.slice(0, 10).join('\n')}`);
  console.log(
    `\nRSS with 10 more MLP versions loaded (each ${mlpMb.toFixed(1)} MB on disk): ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
