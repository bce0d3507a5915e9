// DeltaOne evaluation throughput: the server evaluates two versions (logistic regression and an MLP, 16 features)
// on a 10,000-row benchmark; its benchmark rows/s (each row scored by both versions, metric, statistics and the
// decision stored) against onnxruntime-node's own batched rows/s for the same two models in this process (the
// same 2,000-row chunks, the same session options, no database, no encoding): the goal is >= 0.5x.
// Usage: npm run bench:evaluation (ROWS sets the benchmark size, ROUNDS how many evaluations are timed)
const { mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const ort = require('onnxruntime-node');
const { benchServerEnv, startServer, stopServer, sleep } = require('./lib');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'evaluation');
// Ports can be moved (BENCH_PORT, BENCH_PG_PORT) when several checkouts run benches on one machine.
const PORT = Number(process.env.BENCH_PORT || 3296);
const PG_PORT = process.env.BENCH_PG_PORT || '54396';
const KEY = 'bench-admin-key-0123456789abcdef';
const BASE = `http://127.0.0.1:${PORT}`;
const ROWS = Number(process.env.ROWS || 10000);
const ROUNDS = Number(process.env.ROUNDS || 3);
const CHUNK = 2000;
// The server's sessions and the comparison's are built alike: the same intra-op threads (the server's default,
// 1, unless BENCH_THREADS says otherwise: both versions then run at once on two threads, on either side), one
// inter-op thread, all graph optimisations.
const THREADS = Number(process.env.BENCH_THREADS || 1);
const SESSION_OPTIONS = { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
const { writeAll } = require('../test/fixtures/onnx-models.js');

// Three pairs of versions: the registry fixtures (16 features, microseconds per run, so the evaluation's own work
// shows), a logistic regression against a 64-256-256-2 MLP (mid-size), and against a 64-512-512-2 MLP (inference
// is most of the work).
const SCENARIOS = [
  {
    name: 'small (logreg-16 vs mlp-16)',
    features: 16,
    models: () => [
      join(ROOT, 'test/fixtures/registry/logreg-16.onnx'),
      join(ROOT, 'test/fixtures/registry/mlp-16.onnx'),
    ],
  },
  {
    name: 'mlp-256 (logistic-64 vs mlp 64-256-256-2)',
    features: 64,
    models: () => [join(OUT, 'models', 'logistic-64.onnx'), join(OUT, 'models', 'mlp-256.onnx')],
  },
  {
    name: 'mlp-512 (logistic-64 vs mlp 64-512-512-2)',
    features: 64,
    models: () => [join(OUT, 'models', 'logistic-64.onnx'), join(OUT, 'models', 'mlp.onnx')],
  },
];
const auth = { authorization: `Bearer ${KEY}` };

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

const features = (k) => Array.from({ length: k }, (_, i) => ({ name: `f${i}`, type: 'float' }));
const value = (r, i) => Math.round(Math.sin(r * 13 + i) * 1000) / 1000;

async function setUp(name, sc) {
  await api('POST', '/api/v1/models', {
    name,
    tokenId: name.toUpperCase(),
    benchmarkMetric: 'accuracy',
    labelColumn: 'label',
    labelKind: 'classes',
  });
  for (const file of sc.models()) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), 'model.onnx');
    form.append('metadata', JSON.stringify({ features: features(sc.features) }));
    await api('POST', `/api/v1/models/${name}/versions`, form);
  }
  await api('POST', `/api/v1/models/${name}/promote`, { version: 1 });
  const lines = [];
  for (let r = 0; r < ROWS; r++) {
    const row = Object.fromEntries(features(sc.features).map((f, i) => [f.name, value(r, i)]));
    lines.push(JSON.stringify({ ...row, label: r % 3 === 0 ? 0 : 1 }));
  }
  const form = new FormData();
  form.append('kind', 'benchmark');
  form.append('file', new Blob([lines.join('\n') + '\n']), 'bench.jsonl');
  await api('POST', `/api/v1/models/${name}/datasets`, form);
  // No cooldown: every round is a fresh decision on the same benchmark.
  await api('PUT', `/api/v1/models/${name}/deltaone-settings`, { cooldownSeconds: 0 });
}

async function evaluateOnce(name) {
  const started = performance.now();
  const { id } = await api('POST', `/api/v1/models/${name}/evaluations`, { candidateVersion: 2 });
  for (;;) {
    const e = await api('GET', `/api/v1/evaluations/${id}`);
    if (e.status === 'completed' || e.status === 'failed') {
      if (e.status === 'failed') throw new Error(`evaluation failed: ${e.error}`);
      // The job's own time (a worker picks it up within JOBS_POLL_INTERVAL_MS, which is not evaluation work).
      return { ms: Date.parse(e.decidedAt) - Date.parse(e.startedAt), endToEndMs: performance.now() - started, e };
    }
    await sleep(20);
  }
}

/** onnxruntime-node alone: both models over the same rows in the same chunks, one session each, one thread pool. */
async function ortAlone(sc) {
  const FEATURES = sc.features;
  const sessions = await Promise.all(sc.models().map((m) => ort.InferenceSession.create(m, SESSION_OPTIONS)));
  const data = new Float32Array(ROWS * FEATURES);
  for (let r = 0; r < ROWS; r++) for (let i = 0; i < FEATURES; i++) data[r * FEATURES + i] = value(r, i);
  const runAll = async () => {
    for (let s = 0; s < ROWS; s += CHUNK) {
      const n = Math.min(CHUNK, ROWS - s);
      const input = new ort.Tensor('float32', data.subarray(s * FEATURES, (s + n) * FEATURES), [n, FEATURES]);
      await Promise.all(sessions.map((sess) => sess.run({ [sess.inputNames[0]]: input })));
    }
  };
  await runAll();
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await runAll();
    times.push(performance.now() - t0);
  }
  await Promise.all(sessions.map((s) => s.release()));
  return Math.min(...times);
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const env = benchServerEnv(
    { dir: OUT, port: PORT, pgPort: PG_PORT, key: KEY },
    { JOBS_POLL_INTERVAL_MS: '500', INFERENCE_THREADS: String(THREADS), CHAIN_ENABLED: 'false' },
  );
  mkdirSync(join(OUT, 'models'), { recursive: true });
  writeAll(join(OUT, 'models'));
  const { writeFileSync } = require('node:fs');
  const { logistic, mlp } = require('../test/fixtures/onnx-models.js');
  writeFileSync(join(OUT, 'models', 'logistic-64.onnx'), logistic(64, 5));
  writeFileSync(join(OUT, 'models', 'mlp-256.onnx'), mlp(64, [256, 256], 7));
  const server = await startServer('node', ['dist/src/main.js'], env, `${BASE}/health/ready`);
  const results = [];
  try {
    for (const [i, sc] of SCENARIOS.entries()) {
      const name = `bench-eval-${i}`;
      await setUp(name, sc);
      // Warm-up: the sessions load and the benchmark is read from PostgreSQL (the server then keeps its matrix in
      // memory, so the timed rounds read no rows); its time is reported apart as the first evaluation's.
      const first = await evaluateOnce(name);
      const runs = [];
      for (let r = 0; r < ROUNDS; r++) runs.push(await evaluateOnce(name));
      const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
      const ortMs = await ortAlone(sc);
      const serverRps = Math.round(ROWS / (best.ms / 1000));
      const ortRps = Math.round(ROWS / (ortMs / 1000));
      results.push({
        scenario: sc.name,
        decision: { reason: best.e.reason, n: best.e.n, deltaBps: best.e.deltaBps },
        evaluationMs: runs.map((r) => Math.round(r.ms)),
        firstEvaluationMs: Math.round(first.ms),
        endToEndMs: runs.map((r) => Math.round(r.endToEndMs)),
        evaluationRowsPerSecond: serverRps,
        onnxruntimeMs: Math.round(ortMs * 10) / 10,
        onnxruntimeRowsPerSecond: ortRps,
        ratio: Math.round((serverRps / ortRps) * 1000) / 1000,
      });
    }
  } finally {
    await stopServer(server.child);
  }
  const cpu = os.cpus();
  console.log(
    JSON.stringify(
      {
        machine: `${cpu.length} x ${cpu[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
        rows: ROWS,
        threads: THREADS,
        results,
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
