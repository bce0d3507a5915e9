// The limit server for the inference benchmark: bare node:http + onnxruntime-node doing the same predict as
// POST /api/v1/models/{name}/predict with {"instances": [[...], ...]}: parse, check each value is a finite
// number in a typed loop, one session.run per request (no cache, no auth), answer label and probabilities per
// row. Env: PORT, MODELS (comma list of name=path), BATCH=1 (instead, the requests read in one event-loop turn
// share a run of at most 64 rows).
const http = require('node:http');
const ort = require('onnxruntime-node');

const port = Number(process.env.PORT || 3197);
const BATCH = process.env.BATCH === '1';
const models = new Map();

async function load() {
  for (const entry of (process.env.MODELS || '').split(',').filter(Boolean)) {
    const [name, path] = entry.split('=');
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    models.set(name, { session, width: session.inputMetadata[0].shape[1] });
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function encode(model, body) {
  const rows = body.instances;
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('instances must be a non-empty list');
  const k = model.width;
  const data = new Float32Array(rows.length * k);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length !== k) throw new Error(`row ${r} must have ${k} values`);
    for (let j = 0; j < k; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`row ${r} value ${j} is not a finite number`);
      data[r * k + j] = v;
    }
  }
  return { data, rows: rows.length };
}

function format(out, start, count) {
  const label = out.label.data;
  const probs = out.probabilities.data;
  const predictions = new Array(count);
  for (let r = 0; r < count; r++) {
    const i = start + r;
    predictions[r] = { label: Number(label[i]), probabilities: [probs[2 * i], probs[2 * i + 1]] };
  }
  return predictions;
}

async function predict(model, body) {
  const { data, rows } = encode(model, body);
  if (BATCH) return batched(model, data, rows);
  const out = await model.session.run({ input: new ort.Tensor('float32', data, [rows, model.width]) });
  return format(out, 0, rows);
}

// Merged runs happen on this thread, at most 64 rows each.
function batched(model, data, rows) {
  return new Promise((resolve, reject) => {
    (model.queue ??= []).push({ data, rows, resolve, reject });
    if (!model.scheduled) {
      model.scheduled = true;
      setImmediate(() => flush(model));
    }
  });
}

async function flush(model) {
  model.scheduled = false;
  while (model.queue.length > 0) {
    const batch = [];
    let rows = 0;
    while (model.queue.length > 0 && (batch.length === 0 || rows + model.queue[0].rows <= 64)) {
      const p = model.queue.shift();
      batch.push(p);
      rows += p.rows;
    }
    const k = model.width;
    const data = new Float32Array(rows * k);
    let o = 0;
    for (const p of batch) {
      data.set(p.data, o * k);
      o += p.rows;
    }
    try {
      const out = await model.session.run({ input: new ort.Tensor('float32', data, [rows, k]) });
      let start = 0;
      for (const p of batch) {
        p.resolve(format(out, start, p.rows));
        start += p.rows;
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

load().then(() => {
  http
    .createServer((req, res) => {
      if (req.url === '/health') return send(res, 200, { status: 'ok' });
      const m = /^\/api\/v1\/models\/([^/]+)\/predict$/.exec(req.url.split('?')[0]);
      const model = m && models.get(m[1]);
      if (!model || req.method !== 'POST') return send(res, 404, { error: 'not found' });
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(res, 400, { error: 'malformed JSON' });
        }
        predict(model, body).then(
          (predictions) => send(res, 200, { model: m[1], predictions }),
          (err) => send(res, 400, { error: err.message }),
        );
      });
    })
    .listen(port, '127.0.0.1', () => process.stdout.write(`limit server on ${port}\n`));
});
