// Inference figures, side by side with a bare node:http + onnxruntime-node server (bench/limit-predict-server.js)
// doing the same predict with the same model. Loopback only; every load runs for DURATION seconds and stops.
// Usage: npm run bench:inference
const { mkdirSync, readFileSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const { load, startServer, stopServer } = require('./lib');
const { writeAll } = require('../test/fixtures/onnx-models.js');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'inference');
const PORT = 3196;
const LIMIT_PORT = 3197;
const KEY = 'bench-admin-key-0123456789abcdef';
const DURATION = Number(process.env.DURATION || 10);
const BASE = `http://127.0.0.1:${PORT}`;
const auth = { authorization: `Bearer ${KEY}` };

function serverEnv(extra = {}) {
  return {
    PORT: String(PORT),
    EMBEDDED_PG_PORT: '54397',
    EMBEDDED_PG_DIR: join(OUT, 'pg'),
    ARTIFACT_DIR: join(OUT, 'artifacts'),
    LOG_HTTP_REQUESTS: 'false',
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: KEY,
    RATE_LIMIT_ENABLED: 'false',
    DATABASE_URL: '',
    REDIS_URL: '',
    ...extra,
  };
}

async function api(method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { ...auth, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
    body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function register(name, file, features) {
  await api('POST', '/api/v1/models', {
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
  const v = await api('POST', `/api/v1/models/${name}/versions`, form);
  await api('POST', `/api/v1/models/${name}/promote`, { version: v.version });
  return v.version;
}

const row = (k, seed = 1) => Array.from({ length: k }, (_, j) => Math.round(Math.sin(seed * 31 + j) * 1000) / 1000);
const body = (k, rows) => JSON.stringify({ instances: Array.from({ length: rows }, (_, i) => row(k, i + 1)) });

async function measure(url, payload, connections, extra = {}) {
  return load({
    url,
    method: 'POST',
    connections,
    duration: DURATION,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...auth, ...(extra.headers || {}) },
    body: payload,
    ...(extra.setupRequest ? { requests: [{ setupRequest: extra.setupRequest }] } : {}),
  });
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
  const results = [];
  const row16 = body(16, 1);
  const row64 = body(64, 1);
  const batch256 = body(16, 256);

  // Limit server first, alone on the machine.
  const limit = await startServer(
    'node',
    [join(__dirname, 'limit-predict-server.js')],
    { PORT: String(LIMIT_PORT), MODELS: `logreg=${logisticPath},mlp=${mlpPath}` },
    `http://127.0.0.1:${LIMIT_PORT}/health`,
    60_000,
  );
  const lim = (name) => `http://127.0.0.1:${LIMIT_PORT}/api/v1/models/${name}/predict`;
  results.push(['limit', 'logreg 1 row, 16 conns', await measure(lim('logreg'), row16, 16)]);
  results.push(['limit', 'logreg 1 row, 64 conns', await measure(lim('logreg'), row16, 64)]);
  results.push(['limit', 'mlp 1 row, 64 conns', await measure(lim('mlp'), row64, 64)]);
  results.push(['limit', 'logreg 256 rows, 16 conns', await measure(lim('logreg'), batch256, 16)]);
  await stopServer(limit.child);

  const node = [join(ROOT, 'dist', 'src', 'main.js')];
  let server = await startServer('node', node, serverEnv(), `${BASE}/health/ready`);
  await register('logreg', logisticPath, 16);
  await register('mlp', mlpPath, 64);
  const ours = (name) => `${BASE}/api/v1/models/${name}/predict`;
  await fetch(ours('mlp'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: row64 });
  await fetch(ours('logreg'), {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: row16,
  });
  results.push(['ours', 'logreg 1 row, 16 conns', await measure(ours('logreg'), row16, 16)]);
  results.push(['ours', 'logreg 1 row, 64 conns', await measure(ours('logreg'), row16, 64)]);
  results.push(['ours (batching on)', 'mlp 1 row, 64 conns', await measure(ours('mlp'), row64, 64)]);
  results.push(['ours', 'logreg 256 rows, 16 conns', await measure(ours('logreg'), batch256, 16)]);
  results.push([
    'ours',
    'cache hits (same row), 64 conns',
    await measure(ours('logreg'), row16, 64, { headers: { 'cache-control': '' } }),
  ]);
  let n = 0;
  results.push([
    'ours',
    'cache misses (new row each time), 64 conns',
    await measure(ours('logreg'), row16, 64, {
      headers: { 'cache-control': '' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ instances: [row(16, ++n)] }) }),
    }),
  ]);

  // Ten more MLP versions loaded: resident memory of the server.
  const before = rssOf(server.child.pid);
  for (let i = 0; i < 10; i++) {
    const name = `mlp-${i}`;
    await register(name, mlpPath, 64);
    await api('POST', `/api/v1/models/${name}/predict`, JSON.parse(row64));
  }
  const after = rssOf(server.child.pid);
  await stopServer(server.child);

  server = await startServer('node', node, serverEnv({ BATCHING_ENABLED: 'false' }), `${BASE}/health/ready`);
  await fetch(ours('mlp'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: row64 });
  results.push(['ours (batching off)', 'mlp 1 row, 64 conns', await measure(ours('mlp'), row64, 64)]);
  await stopServer(server.child);
  rmSync(OUT, { recursive: true, force: true });

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nMachine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${DURATION} s per run\n`,
  );
  console.log('| server | scenario | req/s | rows/s | p50 ms | p99 ms | non-2xx | errors |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [who, what, r] of results) {
    const rows = /256 rows/.test(what) ? r.rps * 256 : r.rps;
    console.log(`| ${who} | ${what} | ${r.rps} | ${rows} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
  }
  console.log(
    `\nRSS with 10 more MLP versions loaded (each ${mlpMb.toFixed(1)} MB on disk): ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
