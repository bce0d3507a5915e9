// Registry upload benchmark: streams a 200 MB ONNX artifact to a running, built server and records the server's
// RSS growth (must stay under 100 MB: the upload is streamed, never held in memory) and the upload rate.
//
//   npm run bench:registry                      builds, starts `node dist/src/main.js` on PORT 3101 and measures
//   BENCH_MB=50 npm run bench:registry          a smaller artifact
//   BENCH_URL=http://127.0.0.1:3000 BENCH_PID=<server pid> BENCH_KEY=<admin key> node bench/registry-upload.js
//                                               against a server that is already running (Linux: RSS from /proc)
//
// The artifact (a MatMul with one large float initializer) is generated in a temporary directory and removed.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } = require('node:fs');
const http = require('node:http');
const { tmpdir, cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { children, request, resetPeak, status } = require('./lib');
const { clearInterval, setInterval, setTimeout } = require('node:timers');
const { URL } = require('node:url');

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_MB ?? 200);
const FEATURES = 16;

// ---- a minimal protobuf writer, enough for an ONNX ModelProto -------------------------------------------------

function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}
const key = (field, wire) => varint(field * 8 + wire);
const intField = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytesField = (field, buf) => Buffer.concat([key(field, 2), varint(buf.length), buf]);
const strField = (field, s) => bytesField(field, Buffer.from(s, 'utf8'));

function valueInfo(name, dims) {
  const dimMsgs = dims.map((d) => bytesField(1, typeof d === 'string' ? strField(2, d) : intField(1, d)));
  const shape = Buffer.concat(dimMsgs);
  const tensorType = Buffer.concat([intField(1, 1 /* FLOAT */), bytesField(2, shape)]);
  const typeProto = bytesField(1, tensorType);
  return Buffer.concat([strField(1, name), bytesField(2, typeProto)]);
}

/** Writes input X [N, 16] -> MatMul with W [16, K] -> Y [N, K], where W holds `sizeMB` MB of floats. */
async function writeBigModel(path, sizeMB) {
  const k = Math.floor((sizeMB * MB) / (FEATURES * 4));
  const raw = FEATURES * k * 4;
  const tensorHeader = Buffer.concat([
    intField(1, FEATURES),
    intField(1, k),
    intField(2, 1 /* FLOAT */),
    strField(8, 'W'),
    key(9, 2),
    varint(raw),
  ]);
  const tensorLen = tensorHeader.length + raw;
  const node = Buffer.concat([strField(1, 'X'), strField(1, 'W'), strField(2, 'Y'), strField(4, 'MatMul')]);
  const graphPrefix = Buffer.concat([
    bytesField(1, node),
    strField(2, 'registry-bench'),
    key(5, 2),
    varint(tensorLen),
    tensorHeader,
  ]);
  const graphSuffix = Buffer.concat([
    bytesField(11, valueInfo('X', ['N', FEATURES])),
    bytesField(12, valueInfo('Y', ['N', k])),
  ]);
  const graphLen = graphPrefix.length + raw + graphSuffix.length;
  const header = Buffer.concat([
    intField(1, 8 /* ir_version */),
    bytesField(8, Buffer.concat([strField(1, ''), intField(2, 17)])),
    strField(2, 'deltaone-bench'),
    key(7, 2),
    varint(graphLen),
    graphPrefix,
  ]);
  const out = createWriteStream(path);
  const write = (buf) => (out.write(buf) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  await write(header);
  const chunk = Buffer.alloc(MB);
  const floats = new Float32Array(chunk.buffer, chunk.byteOffset, MB / 4);
  for (let i = 0; i < floats.length; i++) floats[i] = ((i * 2654435761) % 1000) / 1e6;
  for (let left = raw; left > 0; left -= MB) await write(left >= MB ? chunk : chunk.subarray(0, left));
  await write(graphSuffix);
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return statSync(path).size;
}

/** Streams a file as multipart/form-data (`metadata` then `file`); resolves with timings and the answer. */
function uploadFile(base, path, auth, file, metadata) {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="model.onnx"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = statSync(file).size;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let sentAt = 0;
    const req = http.request(
      new URL(path, base),
      {
        method: 'POST',
        headers: {
          authorization: auth,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            sentMs: sentAt - started,
            totalMs: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.write(head);
    const stream = createReadStream(file, { highWaterMark: MB });
    stream.on('error', reject);
    stream.on('end', () => {
      req.end(tail, () => {
        sentAt = performance.now();
      });
    });
    stream.pipe(req, { end: false });
  });
}

async function waitReady(base, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await request(base, 'GET', '/health/ready');
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${base} not ready after ${timeoutMs} ms`);
}

// ---- main ----------------------------------------------------------------------------------------------------

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'registry-bench-'));
  let server;
  try {
    let base = process.env.BENCH_URL;
    let pid = Number(process.env.BENCH_PID ?? 0);
    let adminKey = process.env.BENCH_KEY;
    if (!base) {
      adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
      const port = Number(process.env.BENCH_PORT ?? 3101);
      server = spawn(process.execPath, ['dist/src/main.js'], {
        env: {
          ...process.env,
          PORT: String(port),
          EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? '54351',
          EMBEDDED_PG_DIR: process.env.EMBEDDED_PG_DIR ?? '.data/pg-reg',
          EMBEDDED_CHAIN_DIR: process.env.EMBEDDED_CHAIN_DIR ?? '.data/anvil-reg',
          ADMIN_API_KEY: adminKey,
          ARTIFACT_DIR: join(work, 'artifacts'),
          MAX_ARTIFACT_MB: '500',
          LOG_HTTP_REQUESTS: 'false',
          LOG_LEVEL: 'warn',
          RATE_LIMIT_ENABLED: 'false',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      pid = server.pid;
      base = `http://127.0.0.1:${port}`;
    }
    if (!adminKey) throw new Error('BENCH_KEY (an admin API key) is needed with BENCH_URL');
    const auth = `Bearer ${adminKey}`;

    const artifact = join(work, 'big.onnx');
    const genStart = performance.now();
    const size = await writeBigModel(artifact, SIZE_MB);
    process.stderr.write(
      `generated ${(size / MB).toFixed(1)} MB ONNX in ${Math.round(performance.now() - genStart)} ms\n`,
    );

    await waitReady(base, 120_000);
    const name = `bench-${randomBytes(4).toString('hex')}`;
    const created = await request(base, 'POST', '/api/v1/models', {
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: { name, tokenId: name.toUpperCase(), benchmarkMetric: 'accuracy' },
    });
    if (created.status !== 201) throw new Error(`create model: ${created.status} ${JSON.stringify(created.body)}`);

    // Warm-up: one small upload, so that lazy code paths are loaded before the baseline is taken.
    const small = await uploadFile(
      base,
      `/api/v1/models/${name}/versions`,
      auth,
      join(__dirname, '..', 'test', 'fixtures', 'registry', 'logreg-16.onnx'),
      {},
    );
    if (small.status !== 201) throw new Error(`warm-up upload: ${small.status} ${JSON.stringify(small.body)}`);
    await new Promise((r) => setTimeout(r, 1000));

    const peakReset = pid ? resetPeak(pid) : false;
    const baseline = pid ? status(pid).rss : 0;
    let sampledPeak = baseline;
    let childPeak = 0;
    const timer = pid
      ? setInterval(() => {
          sampledPeak = Math.max(sampledPeak, status(pid).rss);
          for (const c of children(pid)) childPeak = Math.max(childPeak, status(c).rss);
        }, 10)
      : undefined;
    const res = await uploadFile(base, `/api/v1/models/${name}/versions`, auth, artifact, { description: 'bench' });
    if (timer) clearInterval(timer);
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    const after = pid ? status(pid) : { rss: 0, hwm: 0 };
    const peak = Math.max(sampledPeak, peakReset ? after.hwm : 0);

    const result = {
      artifactMB: +(size / MB).toFixed(1),
      version: res.body.version,
      uploadSentSeconds: +(res.sentMs / 1000).toFixed(2),
      totalSeconds: +(res.totalMs / 1000).toFixed(2),
      transferMBps: +(size / MB / (res.sentMs / 1000)).toFixed(1),
      endToEndMBps: +(size / MB / (res.totalMs / 1000)).toFixed(1),
      serverRssBaselineMB: +(baseline / MB).toFixed(1),
      serverRssPeakMB: +(peak / MB).toFixed(1),
      serverRssGrowthMB: +((peak - baseline) / MB).toFixed(1),
      peakFrom: peakReset ? 'VmHWM after clear_refs, and 10 ms samples' : '10 ms samples of VmRSS',
      inspectorChildPeakRssMB: +(childPeak / MB).toFixed(1),
      withinBudget: peak - baseline < 100 * MB,
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memoryGB: +(totalmem() / 1024 ** 3).toFixed(1),
        node: process.version,
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.withinBudget) process.exitCode = 1;
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
