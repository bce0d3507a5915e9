// Server memory for a 50 MB multipart CSV contribution: starts the built server (embedded PostgreSQL in a throwaway
// directory), registers a model with 16 features (15 floats and a free-text string) and a class label, uploads a
// 50 MB CSV through POST /api/v1/models/{name}/contributions (202, durable job) and waits until the job has
// processed it. Records the server process's RSS growth over the whole upload + job (goal < 150 MB): 10 ms samples
// of VmRSS and VmHWM after clear_refs (Linux /proc). PostgreSQL's own processes are not counted.
//
//   npm run bench:contributions:memory            BENCH_MB (50), BENCH_PORT (3111), EMBEDDED_PG_PORT (54359)
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } = require('node:fs');
const http = require('node:http');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { URL } = require('node:url');
const { request, resetPeak, sleep, status, waitForStatus } = require('./lib');

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_MB ?? 50);
const PORT = Number(process.env.BENCH_PORT ?? 3111);
const PG_PORT = process.env.EMBEDDED_PG_PORT ?? '54359';
const FEATURES = [
  ...Array.from({ length: 15 }, (_, i) => ({ name: `f${i}`, type: 'float' })),
  { name: 'note', type: 'string' },
];
const NOTES = ['steady usage', 'upgraded plan in march', 'support ticket 4411 closed', 'churn risk medium', 'n/a'];

/** A CSV of `sizeMB` MB: header, then rows of 15 floats, a note and a class label. Returns the row count. */
async function writeCsv(path, sizeMB) {
  const out = createWriteStream(path);
  const write = (text) => (out.write(text) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  await write(`${[...FEATURES.map((f) => f.name), 'label'].join(',')}\n`);
  let size = 0;
  let rows = 0;
  while (size < sizeMB * MB - 200) {
    const cells = Array.from({ length: 15 }, (_, i) => Math.sin(rows * 7 + i).toFixed(6));
    const line = `${cells.join(',')},${NOTES[rows % NOTES.length]},${rows % 3 === 0 ? 'churned' : 'stayed'}\n`;
    await write(line);
    size += line.length;
    rows++;
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return rows;
}

/** Streams `file` as multipart/form-data (`walletAddress`, then `file`). */
function uploadCsv(base, path, auth, file) {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="walletAddress"\r\n\r\n0x${'ab'.repeat(20)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="rows.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, base),
      {
        method: 'POST',
        headers: {
          authorization: auth,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + statSync(file).size + tail.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const stream = createReadStream(file, { highWaterMark: MB });
    stream.on('error', reject);
    stream.on('end', () => req.end(tail));
    stream.pipe(req, { end: false });
  });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'contributions-bench-'));
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const server = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      EMBEDDED_PG_PORT: PG_PORT,
      EMBEDDED_PG_DIR: join(work, 'pg'),
      EMBEDDED_CHAIN_DIR: join(work, 'anvil'),
      ADMIN_API_KEY: adminKey,
      ARTIFACT_DIR: join(work, 'artifacts'),
      WEBHOOK_SECRET_KEY_FILE: join(work, 'webhook-secret.key'),
      MAX_CONTRIBUTION_MB: String(SIZE_MB + 10),
      JOBS_POLL_INTERVAL_MS: '500',
      LOG_HTTP_REQUESTS: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${PORT}`;
    const json = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const auth = json.authorization;
    const csv = join(work, 'rows.csv');
    const rows = await writeCsv(csv, SIZE_MB);
    await waitForStatus(`${base}/health/ready`, 200, 120_000);

    const name = `bench-${randomBytes(4).toString('hex')}`;
    const created = await request(base, 'POST', '/api/v1/models', {
      headers: json,
      body: {
        name,
        tokenId: name.toUpperCase(),
        benchmarkMetric: 'accuracy',
        labelColumn: 'label',
        labelKind: 'classes',
      },
    });
    if (created.status !== 201) throw new Error(`create model: ${created.status} ${JSON.stringify(created.body)}`);
    const version = await uploadVersion(base, name, auth);
    if (version.status !== 201) throw new Error(`version: ${version.status} ${JSON.stringify(version.body)}`);
    const promoted = await request(base, 'POST', `/api/v1/models/${name}/promote`, {
      headers: json,
      body: { version: 1 },
    });
    if (promoted.status !== 200) throw new Error(`promote: ${promoted.status} ${JSON.stringify(promoted.body)}`);

    // Warm-up: a small CSV through the same route, so that lazy code paths are loaded before the baseline.
    const small = join(work, 'small.csv');
    await writeCsv(small, 0.01);
    const warm = await uploadCsv(base, `/api/v1/models/${name}/contributions`, auth, small);
    if (warm.status !== 201) throw new Error(`warm-up: ${warm.status} ${JSON.stringify(warm.body)}`);
    await sleep(1000);

    const pid = server.pid;
    const peakReset = resetPeak(pid);
    const baseline = status(pid).rss;
    let sampled = baseline;
    const timer = setInterval(() => (sampled = Math.max(sampled, status(pid).rss)), 10);
    const started = performance.now();
    const res = await uploadCsv(base, `/api/v1/models/${name}/contributions`, auth, csv);
    if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    const answeredSeconds = (performance.now() - started) / 1000;
    const peakUntil202 = Math.max(sampled, peakReset ? status(pid).hwm : 0);
    let done;
    while (!done) {
      await sleep(250);
      const c = await request(base, 'GET', `/api/v1/contributions/${res.body.id}`, { headers: json });
      if (['accepted', 'rejected'].includes(c.body.status)) done = c.body;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    const peak = Math.max(sampled, peakReset ? status(pid).hwm : 0);
    const result = {
      fileMB: +(statSync(csv).size / MB).toFixed(1),
      rows,
      status: done.status,
      rejectionCode: done.rejectionCode,
      counts: done.counts,
      outlierReference: done.qualityReport?.outlierReference,
      answered202Seconds: +answeredSeconds.toFixed(1),
      processedSeconds: +seconds.toFixed(1),
      rowsPerSecondEndToEnd: Math.round(rows / seconds),
      serverRssBaselineMB: +(baseline / MB).toFixed(1),
      serverRssPeakMB: +(peak / MB).toFixed(1),
      serverRssGrowthMB: +((peak - baseline) / MB).toFixed(1),
      serverRssGrowthUntil202MB: +((peakUntil202 - baseline) / MB).toFixed(1),
      peakFrom: peakReset ? 'VmHWM after clear_refs, and 10 ms samples' : '10 ms samples of VmRSS',
      goalGrowthMB: 150,
      met: peak - baseline < 150 * MB,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGB: +(totalmem() / 1024 ** 3).toFixed(1) },
      node: process.version,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.met || done.status !== 'accepted') process.exitCode = 1;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
    rmSync(work, { recursive: true, force: true });
  }
}

/** Uploads the 16-feature logistic regression fixture as version 1 with the bench's features. */
function uploadVersion(base, name, auth) {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const model = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'registry', 'logreg-16.onnx'));
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify({ features: FEATURES })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="model.onnx"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    model,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return request(base, 'POST', `/api/v1/models/${name}/versions`, {
    headers: { authorization: auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
