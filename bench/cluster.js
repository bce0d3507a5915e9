// Every core of one machine (issue 24 §4): single-row predict on the logistic model at 64 connections against
// our server with WEB_CONCURRENCY=2, our single process, and the bare node:http + onnxruntime limit server run as a
// node:cluster of 2 (bench/limit-predict-server.js in each process). Loopback only; the servers take turns,
// ROUNDS rounds of SLICE seconds each; each figure is the median. Usage: npm run bench:cluster
const cluster = require('node:cluster');
const { mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');

const { load, loadWrk, LOADGEN, startServer, stopServer } = require('./lib');
const { writeAll } = require('../test/fixtures/onnx-models.js');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'cluster');
const KEY = 'bench-admin-key-0123456789abcdef';
const ROUNDS = Number(process.env.ROUNDS || 5);
const SLICE = Number(process.env.SLICE || 4);
const NODE_FLAGS = ['--max-semi-space-size=64', '--min-semi-space-size=64'];
const PORTS = { limit: 3391, single: 3392, two: 3393 };
const auth = { authorization: `Bearer ${KEY}` };
const ROW = JSON.stringify({
  instances: [Array.from({ length: 16 }, (_, j) => Math.round(Math.sin(31 + j) * 1000) / 1000)],
});

/** The limit server as a cluster of 2: this file, run as a primary that forks two limit servers on one port. */
function limitCluster(modelPath) {
  return startServer(
    'node',
    [...NODE_FLAGS, __filename, '--limit-cluster'],
    { PORT: String(PORTS.limit), MODELS: `logreg=${modelPath}` },
    `http://127.0.0.1:${PORTS.limit}/health`,
    60_000,
  );
}

function ours(name, port, processes) {
  return startServer(
    'node',
    [...NODE_FLAGS, join(ROOT, 'dist/src/main.js')],
    {
      PORT: String(port),
      WEB_CONCURRENCY: String(processes),
      EMBEDDED_PG_PORT: '0',
      EMBEDDED_PG_DIR: join(OUT, `pg-${name}`),
      EMBEDDED_CHAIN_DIR: join(OUT, `anvil-${name}`),
      ARTIFACT_DIR: join(OUT, `artifacts-${name}`),
      CHAIN_ENABLED: 'false',
      LOG_HTTP_REQUESTS: 'false',
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: KEY,
      RATE_LIMIT_ENABLED: 'false',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    `http://127.0.0.1:${port}/health/ready`,
    180_000,
  );
}

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

async function register(base, file) {
  await api(base, 'POST', '/api/v1/models', {
    name: 'logreg',
    tokenId: 'LOGREG',
    benchmarkMetric: 'accuracy',
    benchmarkValue: 0.8,
    labelColumn: 'label',
  });
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), 'model.onnx');
  form.append(
    'metadata',
    JSON.stringify({ features: Array.from({ length: 16 }, (_, i) => ({ name: `f${i}`, type: 'float' })) }),
  );
  const v = await api(base, 'POST', '/api/v1/models/logreg/versions', form);
  await api(base, 'POST', '/api/v1/models/logreg/promote', { version: v.version });
}

function measure(port, duration = SLICE) {
  const opts = {
    url: `http://127.0.0.1:${port}/api/v1/models/logreg/predict`,
    method: 'POST',
    connections: 64,
    duration,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...auth },
    body: ROW,
  };
  return LOADGEN === 'wrk' ? loadWrk(opts) : load(opts);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const [logisticPath] = writeAll(join(OUT, 'models'));
  const servers = {
    limit: await limitCluster(logisticPath),
    single: await ours('single', PORTS.single, 1),
    two: await ours('two', PORTS.two, 2),
  };
  try {
    for (const name of ['single', 'two']) await register(`http://127.0.0.1:${PORTS[name]}`, logisticPath);
    const runs = { limit: [], single: [], two: [] };
    for (const name of Object.keys(runs)) await measure(PORTS[name], 1); // warm-up, not counted
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(runs)) runs[name].push(await measure(PORTS[name]));
    }
    const rps = (name) => median(runs[name].map((r) => r.rps));
    const p99 = (name) => median(runs[name].map((r) => r.p99));
    const errors = (name) => runs[name].reduce((n, r) => n + r.non2xx + r.errors, 0);
    const cpus = os.cpus();
    console.log(
      `\nMachine: ${cpus.length} cores (${cpus[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}; ${LOADGEN}, medians of ${ROUNDS} rounds of ${SLICE} s\n`,
    );
    console.log('| server | req/s | p99 ms | non-2xx + errors |\n|---|---|---|---|');
    const label = { limit: 'bare node:http cluster of 2', single: 'ours, 1 process', two: 'ours, WEB_CONCURRENCY=2' };
    for (const name of Object.keys(runs))
      console.log(`| ${label[name]} | ${rps(name)} | ${p99(name)} | ${errors(name)} |`);
    console.log('\n| goal | measured |\n|---|---|');
    console.log(`| ours with 2 processes / bare cluster of 2: >= 0.90 | ${(rps('two') / rps('limit')).toFixed(2)} |`);
    console.log(`| ours with 2 processes / ours with 1: >= 1.40 | ${(rps('two') / rps('single')).toFixed(2)} |`);
  } finally {
    for (const s of Object.values(servers)) await stopServer(s.child);
  }
}

if (cluster.isWorker) {
  require('./limit-predict-server.js');
} else if (process.argv.includes('--limit-cluster')) {
  for (let i = 0; i < 2; i++) cluster.fork();
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
