// Soak (issue 24 §8): SOAK_MINUTES (10) of mixed load on one server after a warm-up, minute by minute:
// - single-row predict routed through a running A/B experiment (X-User-Id, shadow 10%), open loop at SOAK_RATE
//   requests/s (default 1000), latency measured per request from its send;
// - an outcome reported for every tenth prediction;
// - a signed 50-row contribution every 2 s (each one a webhook message);
// - webhook deliveries to a local receiver that verifies each with `standardwebhooks`;
// - training runs (each followed by its DeltaOne evaluation): one in the warm-up, one at 30% and 70% of the soak.
// Goals: no 5xx (nor connection errors), RSS growth under 10% from the end of the warm-up to the end, p99 of the
// last minute within 20% of the first. Exits 1 when a goal is missed. Loopback only; it stops by itself.
// Per minute it also shows the machine's CPU busy and stolen shares (/proc/stat): on a virtual machine the host may
// take CPU from the vCPUs, which no change to the server can answer for; npm run bench:soak:floor shows the same
// load against a server that does nothing.
// Usage: npm run bench:soak   (SOAK_MINUTES, SOAK_RATE, SOAK_WARMUP_SECONDS, SOAK_CPU_PROF, SOAK_NODE_FLAGS, BENCH_PORT,
// BENCH_PG_PORT)
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const { Wallet } = require('ethers');
const pg = require('pg');
const { Worker } = require('node:worker_threads');
const { benchServerEnv, machineCpu, sleep, startServer, status, stopServer } = require('./lib');
const { Window, windowOf } = require('./soak-load');
const client = require('../dist/src/client');
const { FEATURES, jsonl, LABEL, rows, trainLocally, truth } = require('../dist/src/client/demo/data');
const { DemoReceiver } = require('../dist/src/client/demo/receiver');

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, '.out', 'soak');
const PORT = Number(process.env.BENCH_PORT || 3297);
const PG_PORT = Number(process.env.BENCH_PG_PORT || 54397);
const MINUTES = Number(process.env.SOAK_MINUTES || 10);
const RATE = Number(process.env.SOAK_RATE || 1000);
const WARMUP_S = Number(process.env.SOAK_WARMUP_SECONDS || 60);
const KEY = 'bench-admin-key-0123456789abcdef';
/** The server runs with the V8 flags of `npm start` (and the Dockerfile): the young generation's size among them. */
const START_FLAGS = require('../package.json')
  .scripts.start.split(' ')
  .filter((w) => w.startsWith('--'));
const BASE = `http://127.0.0.1:${PORT}`;
const MODEL = 'soak';
/** The bench's own windows (contributions, training starts), by the time they ended, like the load's. */
let clock;
const windows = [];
const windowNow = () => windows[windowOf(clock, Date.now())];

async function contributeLoop(contributor, wallets, until) {
  let n = 0;
  while (Date.now() < until) {
    const data = rows(50, 1000 + n, truth);
    const wallet = wallets[n++ % wallets.length];
    const res = await contributor.POST('/api/v1/models/{name}/contributions', {
      params: { path: { name: MODEL } },
      body: { rows: data, contributor: await client.signContribution(wallet, MODEL, data), license: 'CC-BY-4.0' },
    });
    const w = windowNow();
    w.count(res.response.status);
    if (res.response.ok) w.contributions++;
    await sleep(2000);
  }
}

const runs = [];

async function trainOnce(admin, label) {
  const started = performance.now();
  const res = await admin.POST('/api/v1/models/{name}/training-runs', {
    params: { path: { name: MODEL } },
    body: { seed: runs.length + 1 },
  });
  windowNow().count(res.response.status);
  if (!res.response.ok) {
    runs.push({ label, status: `not started: ${res.response.status} ${res.error?.code ?? ''}` });
    return;
  }
  const done = await client.followTrainingRun(admin, res.data.id, () => undefined);
  let decision = '-';
  if (done.evaluationId) {
    for (let i = 0; i < 240; i++) {
      const e = await client.answer(
        admin.GET('/api/v1/evaluations/{id}', { params: { path: { id: done.evaluationId } } }),
      );
      if (e.status === 'completed' || e.status === 'failed') {
        decision = e.reason ?? e.status;
        break;
      }
      await sleep(500);
    }
  }
  runs.push({
    label,
    status: done.status,
    rows: done.data?.rows,
    version: done.resultVersion,
    decision,
    seconds: ((performance.now() - started) / 1000).toFixed(1),
  });
}

async function setup(admin, receiver) {
  const endpoint = await client.answer(
    admin.POST('/api/v1/webhooks/endpoints', {
      body: { url: receiver.url, eventTypes: ['*'], modelNames: [MODEL], description: 'soak' },
    }),
  );
  receiver.useSecret(endpoint.secret);
  await client.answer(
    admin.POST('/api/v1/models', {
      body: { name: MODEL, tokenId: 'SOAK', benchmarkMetric: 'accuracy', labelColumn: LABEL, labelKind: 'classes' },
    }),
  );
  const features = FEATURES.map((f) => ({ name: f, type: 'float' }));
  for (const [i, seed] of [201, 202].entries()) {
    const { onnx } = await trainLocally(rows(400 + i * 400, seed, truth));
    const file = join(OUT, `v${i + 1}.onnx`);
    writeFileSync(file, onnx);
    await client.uploadVersion(admin, MODEL, file, { features });
  }
  await client.answer(
    admin.POST('/api/v1/models/{name}/promote', { params: { path: { name: MODEL } }, body: { version: 1 } }),
  );
  // A reward within the budget (the defaults cap one above their budget), so the accepted DeltaOne mints.
  await client.answer(
    admin.PUT('/api/v1/models/{name}/reward-settings', {
      params: { path: { name: MODEL } },
      body: { tokensPerDeltaOne: '1000', maxReward: '100000', budget: '1000000' },
    }),
  );
  for (const [kind, data] of [
    ['training', rows(2000, 203, truth)],
    ['benchmark', rows(1000, 204, truth)],
  ]) {
    const file = join(OUT, `${kind}.jsonl`);
    writeFileSync(file, jsonl(data));
    await client.uploadDataset(admin, MODEL, file, { kind });
  }
  const key = await client.answer(
    admin.POST('/api/v1/api-keys', {
      body: { name: 'soak contributors', scopes: ['models:read', 'contributions:write', 'contributions:read'] },
    }),
  );
  await client.answer(
    admin.PUT('/api/v1/models/{name}/contribution-settings', {
      params: { path: { name: MODEL } },
      body: { requireSignature: true },
    }),
  );
  const experiment = await client.answer(
    admin.POST('/api/v1/experiments', {
      body: {
        name: 'soak v1 vs v2',
        model: MODEL,
        variants: [
          { name: 'v1', version: 1, weight: 50 },
          { name: 'v2', version: 2, weight: 50 },
        ],
        shadow: { version: 2, percent: 10 },
        primaryMetric: { name: 'correct', kind: 'proportion', direction: 'increase' },
        minimumDetectableEffect: 0.05,
        minSamplesPerVariant: 1000,
        autoPromote: false,
      },
    }),
  );
  await client.answer(admin.POST('/api/v1/experiments/{id}/start', { params: { path: { id: experiment.id } } }));
  return {
    endpointId: endpoint.id,
    experimentId: experiment.id,
    contributor: client.createDeltaOneClient({ baseUrl: BASE, apiKey: key.key }),
  };
}

/** A minute's share of CPU stolen by the hypervisor above which the goals' table says so. */
const STEAL_NOTED = 0.02;

/** PostgreSQL logs statements slower than this, and every autovacuum, in bench/.out/soak/pg/server.log. */
const SLOW_MS = 100;

async function logSlowStatements() {
  const db = new pg.Client({ host: '127.0.0.1', port: PG_PORT, user: 'postgres', database: 'postgres' });
  await db.connect();
  await db.query(`ALTER SYSTEM SET log_min_duration_statement = ${SLOW_MS}`);
  await db.query('ALTER SYSTEM SET log_autovacuum_min_duration = 0');
  await db.query('SELECT pg_reload_conf()');
  await db.end();
}

/** The slow statements and autovacuum runs PostgreSQL logged: time, duration, the statement's start. */
function slowQueries(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('duration:') || l.includes('automatic vacuum') || l.includes('automatic analyze'))
    .map((l) => l.replace(/^\S+ (\S+) UTC \[\d+\] LOG:\s+/, '$1 ').slice(0, 160));
}

/**
 * The server's own view of the predict answers so far (http_request_duration_seconds, status 200) and its event
 * loop's longest delay since the last scrape (prom-client resets it at each collect).
 */
async function serverView() {
  const text = await (await fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
  const bucket = (le) =>
    text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('http_request_duration_seconds_bucket{') &&
          l.includes('/predict"') &&
          l.includes('status="200"') &&
          l.includes(`le="${le}"`),
      )
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const lag = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds '));
  return { all: bucket('+Inf'), within50: bucket('0.05'), lagMaxMs: lag ? Number(lag.split(' ').pop()) * 1000 : NaN };
}

const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // SOAK_CPU_PROF=1: the server writes a V8 CPU profile to bench/.out/soak/prof when it stops.
  const profile = process.env.SOAK_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(OUT, 'prof')}`] : [];
  // SOAK_NODE_FLAGS (e.g. --trace-gc): more flags for the server; its output goes to bench/.out/soak/server.log,
  // after a first line with the epoch ms it was started at (trace-gc's times count from there).
  const extra = process.env.SOAK_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const spawnedAt = Date.now();
  const server = await startServer(
    'node',
    [...profile, ...extra, ...START_FLAGS, join(ROOT, 'dist', 'src', 'main.js')],
    benchServerEnv(
      { dir: OUT, port: PORT, pgPort: PG_PORT, key: KEY },
      { NODE_ENV: 'production', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', WEB_CONCURRENCY: '1' },
    ),
    `${BASE}/health/ready`,
  );
  await logSlowStatements();
  const receiver = await DemoReceiver.start();
  const pid = server.child.pid;
  const rss = [];
  const cpu = machineCpu();
  const sampler = setInterval(() => rss.push({ t: Date.now(), rss: status(pid).rss }), 5000);
  try {
    const admin = client.createDeltaOneClient({ baseUrl: BASE, apiKey: KEY });
    const { endpointId, experimentId, contributor } = await setup(admin, receiver);
    const wallets = [Wallet.createRandom(), Wallet.createRandom(), Wallet.createRandom()];

    console.log(`warm-up: ${WARMUP_S} s of the same load and a training run`);
    const start = Date.now() + WARMUP_S * 1000;
    const end = start + MINUTES * 60_000;
    clock = { start, minutes: MINUTES };
    windows.push(...Array.from({ length: MINUTES + 2 }, () => new Window()));
    const traffic = rows(4096, 301, truth);
    const worker = new Worker(join(__dirname, 'soak-load.js'), {
      workerData: {
        base: BASE,
        key: KEY,
        model: MODEL,
        rate: RATE,
        start,
        end,
        minutes: MINUTES,
        features: FEATURES,
        label: LABEL,
        traffic,
      },
    });
    const predicted = new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const at = (fraction) => sleep(start + MINUTES * 60_000 * fraction - Date.now());
    const load = Promise.all([
      predicted,
      contributeLoop(contributor, wallets, end),
      // Half-way into the warm-up, so that contributions are there to be credited and the DeltaOne mints.
      sleep((WARMUP_S * 1000) / 2).then(() => trainOnce(admin, 'warm-up')),
      at(0.3).then(() => trainOnce(admin, '30%')),
      at(0.7).then(() => trainOnce(admin, '70%')),
    ]);
    await sleep(start - Date.now());
    // The median of the warm-up's last 30 s of samples: one sample can land on a training run's passing peak.
    const late = rss
      .filter((x) => x.t >= start - 30_000)
      .map((x) => x.rss)
      .sort((a, b) => a - b);
    const rssWarm = late.length ? late[Math.floor(late.length / 2)] : status(pid).rss;
    const rssAt = [];
    // Per minute, the server's count of predict answers and of those over 50 ms, beside the client's: whether the
    // slow answers were slow in the server or on their way (the load generator shares the cores).
    const views = [await serverView()];
    const lagMax = [];
    const lagSampler = setInterval(() => {
      serverView()
        .then((v) => lagMax.push({ t: Date.now(), ms: v.lagMaxMs }))
        .catch(() => undefined);
    }, 5000);
    for (let m = 1; m <= MINUTES; m++) {
      await sleep(start + m * 60_000 - Date.now());
      views.push(await serverView());
      rssAt.push(status(pid).rss);
      console.log(`minute ${m}: RSS ${mb(rssAt[m - 1])} MB`);
    }
    clearInterval(lagSampler);
    const [{ windows: loadWindows, seconds }] = await load;
    // The load's windows and the bench's own, merged: index 0 the warm-up, 1..MINUTES the soak, then the tail.
    const all = loadWindows.map((data, i) => {
      const w = Window.from(data);
      for (const [code, n] of windows[i].codes) w.codes.set(code, (w.codes.get(code) ?? 0) + n);
      w.errors += windows[i].errors;
      w.contributions = windows[i].contributions;
      return w;
    });
    const minutes = all.slice(1, MINUTES + 1).map((w, i) => {
      const served = views[i + 1].all - views[i].all;
      const slow = served - (views[i + 1].within50 - views[i].within50);
      const t0 = start + i * 60_000;
      const lags = lagMax.filter((x) => x.t > t0 && x.t <= t0 + 60_000).map((x) => x.ms);
      const cpuUse = cpu.over(t0, 60_000);
      return { m: i + 1, w, rss: rssAt[i], served, slow, lag: lags.length ? Math.max(...lags) : NaN, cpuUse };
    });

    // Every webhook message the server created for the endpoint must arrive, verified.
    const open = async (status) =>
      (
        await client.answer(
          admin.GET('/api/v1/webhooks/endpoints/{id}/deliveries', {
            params: { path: { id: endpointId }, query: { limit: 1, status } },
          }),
        )
      ).items.length;
    for (let i = 0; i < 60 && (await open('pending')) + (await open('in_flight')) > 0; i++) await sleep(1000);
    const failedDeliveries = await open('failed');
    const deliveries = receiver.events.length;
    const results = await client.answer(
      admin.GET('/api/v1/experiments/{id}/results', { params: { path: { id: experimentId } } }),
    );

    // Where the slow answers cluster, to set beside the server's and PostgreSQL's logs (bench/.out/soak).
    writeFileSync(join(OUT, 'seconds.json'), JSON.stringify(seconds));
    const worst = [...seconds].sort((a, b) => b.over50 - a.over50).slice(0, 8);
    const slowStatements = slowQueries(join(OUT, 'pg', 'server.log'));

    const fivexx = all.reduce((n, w) => n + w.fivexx, 0);
    const errors = all.reduce((n, w) => n + w.errors, 0);
    const first = minutes[0].w.quantile(0.99);
    const last = minutes[minutes.length - 1].w.quantile(0.99);
    const rssEnd = minutes[minutes.length - 1].rss;
    const growth = (rssEnd - rssWarm) / rssWarm;
    const p99Change = last / first - 1;

    console.log(
      `\n${os.cpus().length} cores (${os.cpus()[0].model}), Node ${process.version}, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log(`${MINUTES} min at ${RATE} predict/s after a ${WARMUP_S} s warm-up\n`);
    console.log(
      '| minute | predictions | p50 ms | p99 ms | over 50 ms: client / server | event loop max ms: server / load | CPU busy / stolen % (max) | outcomes | contributions | non-2xx | 5xx | RSS MB |',
    );
    console.log(
      '| -----: | ----------: | -----: | -----: | --------------------------: | -------------------------------: | ------------------------: | -------: | ------------: | ------: | --: | -----: |',
    );
    const pct = (x) => (x * 100).toFixed(0);
    for (const { m, w, rss: r, slow, lag, cpuUse: c } of minutes) {
      const clientSlow = w.latencies.filter((ms) => ms > 50).length;
      console.log(
        `| ${m} | ${w.latencies.length} | ${f1(w.quantile(0.5))} | ${f1(w.quantile(0.99))} | ${clientSlow} / ${slow} | ${f1(lag)} / ${f1(w.clientLoopMaxMs)} | ${pct(c.busy)} / ${pct(c.steal)} (${pct(c.stealMax)}) | ${w.outcomes} | ${w.contributions} | ${w.non2xx} | ${w.fivexx} | ${mb(r)} |`,
      );
    }
    console.log('\ntraining runs:');
    for (const r of runs) {
      console.log(
        `  ${r.label}: ${r.status}${r.version ? `, v${r.version} on ${r.rows} rows` : ''}, DeltaOne ${r.decision ?? '-'} (${r.seconds ?? '-'} s)`,
      );
    }
    const byType = new Map();
    for (const t of receiver.types()) byType.set(t, (byType.get(t) ?? 0) + 1);
    console.log(
      `webhooks: ${deliveries} distinct messages received and verified, ${receiver.refused.length} refused (${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')})`,
    );
    for (const e of receiver.events.filter((x) => x.type === 'reward.failed')) {
      console.log(`reward.failed: ${JSON.stringify(e.data)}`);
    }
    console.log(
      `experiment: ${results.variants.map((v) => `${v.name} ${v.outcomes} outcomes`).join(', ')}; decision ${results.decision}`,
    );
    const cpuAt = (t) => {
      const c = cpu.seconds.get(t);
      return c ? `, CPU ${pct(c.busy)}% busy, ${pct(c.steal)}% stolen` : '';
    };
    console.log(
      `seconds with most answers over 50 ms: ${worst.map((x) => `${new Date(x.t * 1000).toISOString().slice(11, 19)} ${x.over50}/${x.n} (max ${x.max.toFixed(0)} ms${cpuAt(x.t)})`).join(', ')}`,
    );
    console.log(`PostgreSQL statements over ${SLOW_MS} ms: ${slowStatements.length}`);
    for (const line of slowStatements.slice(0, 12)) console.log(`  ${line}`);
    console.log(
      `RSS: ${mb(rssWarm)} MB after the warm-up, ${mb(rssEnd)} MB at the end, peak ${mb(Math.max(...rss.map((s) => s.rss)))} MB`,
    );

    // A minute in which the hypervisor took CPU from this machine's vCPUs measures the host as much as the server.
    const stealOf = (m) => minutes[m].cpuUse.steal;
    const stolen =
      Math.max(stealOf(0), stealOf(minutes.length - 1)) > STEAL_NOTED
        ? `; the host stole ${pct(stealOf(0))}% and ${pct(stealOf(minutes.length - 1))}% of the CPU in those minutes`
        : '';
    const goals = [
      ['no 5xx and no connection errors', fivexx === 0 && errors === 0, `${fivexx} 5xx, ${errors} errors`],
      ['RSS growth after warm-up < 10%', growth < 0.1, `${(growth * 100).toFixed(1)}%`],
      [
        'p99 last minute within 20% of the first',
        Math.abs(p99Change) <= 0.2,
        `${f1(first)} -> ${f1(last)} ms (${(p99Change * 100).toFixed(1)}%)${stolen}`,
      ],
      [
        'every training run registered',
        runs.every((r) => r.status === 'registered'),
        runs.map((r) => r.status).join(', '),
      ],
      [
        'every webhook message delivered and verified',
        receiver.refused.length === 0 && failedDeliveries === 0,
        `${deliveries} received, ${receiver.refused.length} refused, failed deliveries: ${failedDeliveries}`,
      ],
    ];
    console.log('\n| goal | measured | met |');
    console.log('| ---- | -------- | --- |');
    for (const [goal, met, measured] of goals) console.log(`| ${goal} | ${measured} | ${met ? 'yes' : '**no**'} |`);
    process.exitCode = goals.every(([, met]) => met) ? 0 : 1;
  } finally {
    clearInterval(sampler);
    cpu.stop();
    await receiver.close();
    await stopServer(server.child);
    writeFileSync(join(OUT, 'server.log'), `started at ${spawnedAt}\n${server.output()}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
