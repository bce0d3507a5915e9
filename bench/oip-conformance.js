// Black-box conformance walk of the Open Inference Protocol v2 REST routes (KServe "predict protocol v2"), after
// the checklist in shared/reference/serving.md §1.7 plus the edge cases a strict conformance suite tries.
// Usage: node bench/oip-conformance.js http://127.0.0.1:3271 <admin api key>
// It registers two models through the REST API (the logistic and typed fixtures: FP32 in, INT64/FP32 out; INT32
// in, INT64/BOOL out), promotes them, and checks every route. Exit code 1 when a check fails.
const { broken, logistic, typed } = require('../test/fixtures/onnx-models.js');

const BASE = (process.argv[2] || 'http://127.0.0.1:3271').replace(/\/$/, '');
const KEY = process.argv[3] || process.env.ADMIN_API_KEY;
if (!KEY) {
  console.error('usage: node bench/oip-conformance.js <base url> <admin api key>');
  process.exit(2);
}
const auth = { authorization: `Bearer ${KEY}` };
const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64'];
DATATYPES.push('FP16', 'FP32', 'FP64', 'BYTES', 'BF16');

async function req(method, path, { body, raw, headers = {}, key = true, contentType } = {}) {
  const h = { ...(key ? auth : {}), ...headers };
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) h['content-type'] = contentType ?? 'application/json';
  const res = await fetch(`${BASE}${path}`, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') || '', text, json };
}

const results = [];
async function check(name, fn) {
  try {
    const problem = await fn();
    results.push({ name, ok: !problem, problem });
  } catch (e) {
    results.push({ name, ok: false, problem: `threw: ${e.message}` });
  }
}

/** Returns a problem string, or undefined when fine. */
function expectStatus(res, allowed) {
  const ok = Array.isArray(allowed) ? allowed.includes(res.status) : allowed(res.status);
  if (!ok) return `status ${res.status}, wanted ${allowed}; body ${res.text.slice(0, 300)}`;
  return undefined;
}

/** Every error: Content-Type JSON and a body that is exactly {"error": string}. */
function errorShape(res) {
  if (!/^application\/json/.test(res.type)) return `content-type ${res.type}`;
  if (!res.json || typeof res.json.error !== 'string') return `no string error member: ${res.text.slice(0, 300)}`;
  const extra = Object.keys(res.json).filter((k) => k !== 'error');
  if (extra.length) extraMembers.push(`${res.status}: ${extra.join(', ')}`);
  return undefined;
}
/** Error bodies with members besides "error" (the spec's body is {"error": "<message>"}); reported as one check. */
const extraMembers = [];
const expectError = (res, allowed) => expectStatus(res, allowed) || errorShape(res);
const is4xx = (s) => s >= 400 && s < 500;

// --- fixtures -------------------------------------------------------------------------------------------------

async function register(name, buf, features, promote = true) {
  const created = await req('POST', '/api/v1/models', {
    body: {
      name,
      tokenId: name.toUpperCase().replace(/-/g, ''),
      benchmarkMetric: 'accuracy',
      benchmarkValue: 0.8,
      labelColumn: 'label',
    },
  });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`create ${name}: ${created.status} ${created.text}`);
  const form = new FormData();
  form.append('file', new Blob([buf]), 'model.onnx');
  if (features) form.append('metadata', JSON.stringify({ features }));
  const res = await fetch(`${BASE}/api/v1/models/${name}/versions`, { method: 'POST', headers: auth, body: form });
  const v = await res.json();
  if (!res.ok) throw new Error(`upload ${name}: ${res.status} ${JSON.stringify(v)}`);
  if (!promote) return String(v.version);
  const p = await req('POST', `/api/v1/models/${name}/promote`, { body: { version: v.version } });
  if (p.status !== 200) throw new Error(`promote ${name}: ${p.status} ${p.text}`);
  return String(v.version);
}

// --- the walk -------------------------------------------------------------------------------------------------

async function main() {
  const suffix = Date.now().toString(36);
  const M = `oip-conf-${suffix}`;
  const TYPED = `oip-typed-${suffix}`;
  const features = Array.from({ length: 16 }, (_, i) => ({ name: `f${i}`, type: 'float' }));
  const V = await register(M, logistic(), features);
  let typedVersion;
  try {
    typedVersion = await register(TYPED, typed());
  } catch (e) {
    console.log(`(typed model not registered: ${e.message.slice(0, 200)})`);
  }
  const row = (seed) => Array.from({ length: 16 }, (_, i) => Math.round(Math.sin(seed + i) * 1000) / 1000);
  const input = (over = {}) => ({ name: 'input', shape: [1, 16], datatype: 'FP32', data: row(1), ...over });
  const infer = (body, opts = {}) =>
    req('POST', `/v2/models/${opts.model ?? M}${opts.version ? `/versions/${opts.version}` : ''}/infer`, {
      body,
      ...opts,
    });
  const bad = (name, body, opts) => check(name, async () => expectError(await infer(body, opts), [400]));

  // 1.7.1 health
  for (const p of ['/v2/health/live', '/v2/health/ready']) {
    await check(`GET ${p} without a key is 200`, async () => {
      const r = await req('GET', p, { key: false });
      return (
        expectStatus(r, [200]) || (r.text && !/^application\/json/.test(r.type) ? `content-type ${r.type}` : undefined)
      );
    });
  }
  // 1.7.2 server metadata
  await check('GET /v2: string name and version, extensions array of strings', async () => {
    const r = await req('GET', '/v2', { key: false });
    if (r.status !== 200) return expectStatus(r, [200]);
    const b = r.json;
    if (typeof b?.name !== 'string' || typeof b.version !== 'string') return `name/version: ${r.text}`;
    if (!Array.isArray(b.extensions) || !b.extensions.every((e) => typeof e === 'string'))
      return `extensions: ${r.text}`;
    return undefined;
  });

  // 1.7.3 model metadata
  const metaProblem = (r, name) => {
    if (r.status !== 200) return expectStatus(r, [200]);
    const b = r.json;
    if (b.name !== name) return `name ${b.name}`;
    if (typeof b.platform !== 'string') return 'platform missing';
    if (b.versions !== undefined && (!Array.isArray(b.versions) || !b.versions.every((v) => typeof v === 'string')))
      return `versions not a list of strings: ${JSON.stringify(b.versions)}`;
    for (const t of [...(b.inputs ?? []), ...(b.outputs ?? [])]) {
      if (typeof t.name !== 'string') return `tensor name ${JSON.stringify(t)}`;
      if (!DATATYPES.includes(t.datatype)) return `datatype ${t.datatype}`;
      if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= -1)) return `shape ${t.shape}`;
    }
    if (!Array.isArray(b.inputs) || !Array.isArray(b.outputs)) return 'inputs/outputs not arrays';
    return undefined;
  };
  await check('GET /v2/models/{m}: metadata', async () => metaProblem(await req('GET', `/v2/models/${M}`), M));
  await check('GET /v2/models/{m}/versions/{v}: metadata', async () =>
    metaProblem(await req('GET', `/v2/models/${M}/versions/${V}`), M),
  );
  await check('model metadata: version listed in versions, input shape has -1', async () => {
    const b = (await req('GET', `/v2/models/${M}`)).json;
    if (!b.versions?.includes(V)) return `versions ${JSON.stringify(b.versions)}`;
    if (b.inputs[0].shape[0] !== -1) return `shape ${b.inputs[0].shape}`;
    return undefined;
  });
  if (typedVersion) {
    await check('typed model metadata: INT32/INT64 inputs, INT64/BOOL outputs', async () => {
      const r = await req('GET', `/v2/models/${TYPED}`);
      const p = metaProblem(r, TYPED);
      if (p) return p;
      const types = [...r.json.inputs, ...r.json.outputs].map((t) => `${t.name}:${t.datatype}`).join(',');
      return types === 'input:INT32,wide:INT64,flag:BOOL' ? undefined : types;
    });
  }
  for (const [what, path] of [
    ['unknown model', '/v2/models/no-such-model-xyz'],
    ['unknown version', `/v2/models/${M}/versions/999`],
    ['non-numeric version', `/v2/models/${M}/versions/abc`],
    ['version 0', `/v2/models/${M}/versions/0`],
    ['invalid model name', '/v2/models/Not_A.Valid..Name'],
  ]) {
    await check(`GET metadata, ${what} -> 404 {error}`, async () => expectError(await req('GET', path), [404]));
  }

  // 1.7.4 model ready
  await check('GET /v2/models/{m}/ready is 200', async () =>
    expectStatus(await req('GET', `/v2/models/${M}/ready`), [200]),
  );
  await check('GET /v2/models/{m}/versions/{v}/ready is 200', async () =>
    expectStatus(await req('GET', `/v2/models/${M}/versions/${V}/ready`), [200]),
  );
  for (const [what, path] of [
    ['unknown model', '/v2/models/no-such-model-xyz/ready'],
    ['unknown version', `/v2/models/${M}/versions/999/ready`],
    ['non-numeric version', `/v2/models/${M}/versions/x1/ready`],
  ]) {
    await check(`GET ready, ${what} -> 4xx {error}`, async () => expectError(await req('GET', path), is4xx));
  }

  // 1.7.5 infer
  await check('infer: id echoed, model_name, model_version string, outputs complete', async () => {
    const r = await infer({ id: '42', inputs: [input()] });
    if (r.status !== 200) return expectStatus(r, [200]);
    const b = r.json;
    if (b.id !== '42') return `id ${b.id}`;
    if (b.model_name !== M) return `model_name ${b.model_name}`;
    if (b.model_version !== undefined && typeof b.model_version !== 'string') return `model_version ${b.model_version}`;
    if (!Array.isArray(b.outputs) || b.outputs.length === 0) return 'no outputs';
    for (const o of b.outputs) {
      if (
        typeof o.name !== 'string' ||
        !Array.isArray(o.shape) ||
        !DATATYPES.includes(o.datatype) ||
        !Array.isArray(o.data)
      )
        return `output ${JSON.stringify(o)}`;
      const n = o.shape.reduce((a, d) => a * d, 1);
      if (o.data.flat(Infinity).length !== n) return `output ${o.name}: ${o.data.length} elements for shape ${o.shape}`;
    }
    if (!/^application\/json/.test(r.type)) return `content-type ${r.type}`;
    return undefined;
  });
  await check('infer: no id in the request, no id in the response', async () => {
    const r = await infer({ inputs: [input()] });
    return expectStatus(r, [200]) || ('id' in r.json ? `id ${r.json.id}` : undefined);
  });
  await check('infer by version: model_version is that version', async () => {
    const r = await infer({ inputs: [input()] }, { version: V });
    return expectStatus(r, [200]) || (r.json.model_version === V ? undefined : `model_version ${r.json.model_version}`);
  });
  // 1.7.6 nested vs flat, outputs filter
  await check('infer: nested and flat data give the same outputs', async () => {
    const flat = await infer({ inputs: [input({ shape: [2, 16], data: [...row(1), ...row(2)] })] });
    const nested = await infer({ inputs: [input({ shape: [2, 16], data: [row(1), row(2)] })] });
    if (flat.status !== 200 || nested.status !== 200) return `status ${flat.status}/${nested.status}`;
    return JSON.stringify(flat.json.outputs) === JSON.stringify(nested.json.outputs) ? undefined : 'outputs differ';
  });
  await check('infer: outputs:[{name}] filters', async () => {
    const r = await infer({ inputs: [input()], outputs: [{ name: 'label' }] });
    if (r.status !== 200) return expectStatus(r, [200]);
    const names = r.json.outputs.map((o) => o.name).join(',');
    return names === 'label' ? undefined : names;
  });
  await check('infer: outputs:[] is all or 400, never 500', async () =>
    expectStatus(await infer({ inputs: [input()], outputs: [] }), [200, 400]),
  );
  await check('infer: INT64 output data are JSON numbers', async () => {
    const r = await infer({ inputs: [input()], outputs: [{ name: 'label' }] });
    const o = r.json?.outputs?.[0];
    return o && o.datatype === 'INT64' && o.data.every((x) => typeof x === 'number') ? undefined : JSON.stringify(o);
  });
  await bad('infer: unknown output name -> 400', { inputs: [input()], outputs: [{ name: 'nope' }] });
  await bad('infer: output without name -> 400', { inputs: [input()], outputs: [{}] });
  await bad('infer: outputs not a list -> 400', { inputs: [input()], outputs: { name: 'label' } });

  // 1.7.7 schema violations
  await bad('infer: wrong datatype -> 400', { inputs: [input({ datatype: 'INT64' })] });
  await bad('infer: unknown datatype -> 400', { inputs: [input({ datatype: 'FLOAT32' })] });
  await bad('infer: lowercase datatype -> 400', { inputs: [input({ datatype: 'fp32' })] });
  await bad('infer: wrong shape (rank) -> 400', { inputs: [input({ shape: [16] })] });
  await bad('infer: wrong shape (dims) -> 400', { inputs: [input({ shape: [2, 8] })] });
  await bad('infer: element count < product(shape) -> 400', { inputs: [input({ data: row(1).slice(1) })] });
  await bad('infer: element count > product(shape) -> 400', { inputs: [input({ data: [...row(1), 1] })] });
  await bad('infer: ragged nested data -> 400', {
    inputs: [
      input({ shape: [2, 16], data: [row(1), [...row(2).slice(1), 1, 2]].map((r, i) => (i ? r.slice(0, 15) : r)) }),
    ],
  });
  await bad('infer: negative shape -> 400', { inputs: [input({ shape: [-1, 16] })] });
  await bad('infer: non-integer shape -> 400', { inputs: [input({ shape: [1.5, 16] })] });
  await bad('infer: string in shape -> 400', { inputs: [input({ shape: ['1', 16] })] });
  await bad('infer: shape not a list -> 400', { inputs: [input({ shape: 16 })] });
  await bad('infer: missing input (empty inputs) -> 400', { inputs: [] });
  await bad('infer: inputs not an array -> 400', { inputs: input() });
  await bad('infer: inputs missing -> 400', {});
  await bad('infer: extra unknown input -> 400', { inputs: [input(), input({ name: 'other' })] });
  await bad('infer: duplicate input names -> 400', { inputs: [input(), input()] });
  for (const field of ['name', 'shape', 'datatype', 'data']) {
    await bad(`infer: input without ${field} -> 400`, {
      inputs: [Object.fromEntries(Object.entries(input()).filter(([k]) => k !== field))],
    });
  }
  await bad('infer: input is null -> 400', { inputs: [null] });
  await bad('infer: data is a scalar -> 400', { inputs: [input({ shape: [1, 1], data: 1 })] });
  await bad('infer: data null -> 400', { inputs: [input({ data: null })] });
  await bad('infer: id a number -> 400', { id: 42, inputs: [input()] });
  await bad('infer: parameters with an object value -> 400', { parameters: { a: { b: 1 } }, inputs: [input()] });
  await bad('infer: parameters with an array value -> 400', { parameters: { a: [1] }, inputs: [input()] });
  await bad('infer: parameters with null value -> 400', { parameters: { a: null }, inputs: [input()] });
  await bad('infer: parameters not an object -> 400', { parameters: [1], inputs: [input()] });
  await bad('infer: input parameters non-scalar -> 400', { inputs: [input({ parameters: { x: {} } })] });
  await bad('infer: output parameters non-scalar -> 400', {
    inputs: [input()],
    outputs: [{ name: 'label', parameters: { x: [] } }],
  });
  await check('infer: unknown scalar parameters are ignored or echoed (200)', async () =>
    expectStatus(
      await infer({
        parameters: { foo: 'bar', n: 1, b: true },
        inputs: [input({ parameters: { content_type: 'np' } })],
        outputs: [{ name: 'label', parameters: { binary_data: false } }],
      }),
      [200],
    ),
  );
  await bad('infer: strings in FP32 data -> 400 (or coerced)', { inputs: [input({ data: row(1).map(String) })] });
  await bad('infer: booleans in FP32 data -> 400', { inputs: [input({ data: row(1).map((x) => x > 0) })] });
  await bad('infer: null element -> 400', { inputs: [input({ data: [null, ...row(1).slice(1)] })] });
  await bad('infer: "NaN" string element -> 400', { inputs: [input({ data: ['NaN', ...row(1).slice(1)] })] });
  await check('infer: 1e999 (Infinity) -> 400 {error}', async () =>
    expectError(
      await req('POST', `/v2/models/${M}/infer`, {
        raw: `{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":[${Array(15).fill(0).join(',')},1e999]}]}`,
      }),
      [400],
    ),
  );
  await check('infer: bare NaN token (invalid JSON) -> 400 {error}', async () =>
    expectError(
      await req('POST', `/v2/models/${M}/infer`, {
        raw: `{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":[${Array(15).fill(0).join(',')},NaN]}]}`,
      }),
      [400],
    ),
  );
  await bad('infer: huge shape with little data -> 400 (no 500, no huge allocation)', {
    inputs: [input({ shape: [1e9, 16] })],
  });
  await bad('infer: shape product beyond 2^53 -> 400', { inputs: [input({ shape: [2 ** 40, 2 ** 20] })] });
  await check('infer: zero rows (shape [0, 16], data []) -> 200 or 400, not 5xx', async () =>
    expectStatus(await infer({ inputs: [input({ shape: [0, 16], data: [] })] }), [200, 400]),
  );
  await check('infer: deeply nested data -> 400 {error}, not 500', async () =>
    expectError(
      await req('POST', `/v2/models/${M}/infer`, {
        raw: `{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":${'['.repeat(20000)}1${']'.repeat(20000)}}]}`,
      }),
      [400],
    ),
  );
  await check('infer: malformed JSON -> 400 {error}', async () =>
    expectError(await req('POST', `/v2/models/${M}/infer`, { raw: '{"inputs": [' }), [400]),
  );
  await check('infer: empty body with JSON content type -> 400 {error}', async () =>
    expectError(await req('POST', `/v2/models/${M}/infer`, { raw: '' }), [400]),
  );
  await check('infer: no body at all -> 400 {error}', async () =>
    expectError(await req('POST', `/v2/models/${M}/infer`, {}), [400]),
  );
  for (const raw of ['[]', '"x"', '42', 'null', 'true']) {
    await check(`infer: body ${raw} (not an object) -> 400 {error}`, async () =>
      expectError(await req('POST', `/v2/models/${M}/infer`, { raw }), [400]),
    );
  }
  await check('infer: text/plain content type -> 4xx {error}', async () =>
    expectError(
      await req('POST', `/v2/models/${M}/infer`, {
        raw: JSON.stringify({ inputs: [input()] }),
        contentType: 'text/plain',
      }),
      [400, 415],
    ),
  );
  await check('infer: application/json; charset=utf-8 is accepted', async () =>
    expectStatus(
      await req('POST', `/v2/models/${M}/infer`, {
        raw: JSON.stringify({ inputs: [input()] }),
        contentType: 'application/json; charset=utf-8',
      }),
      [200],
    ),
  );
  await check('infer: __proto__ key -> 400 {error}, not 500', async () =>
    expectError(await req('POST', `/v2/models/${M}/infer`, { raw: '{"__proto__":{"x":1},"inputs":[]}' }), [400]),
  );

  // 1.7.8 versions
  await check('infer: unknown model -> 404 {error}', async () =>
    expectError(await infer({ inputs: [input()] }, { model: 'no-such-model-xyz' }), [404]),
  );
  await check('infer: unknown version -> 404 {error}', async () =>
    expectError(await infer({ inputs: [input()] }, { version: '999' }), [404]),
  );
  await check('infer: non-numeric version -> 404 {error}', async () =>
    expectError(await infer({ inputs: [input()] }, { version: 'latest' }), [404]),
  );
  await check('infer: invalid model name -> 404 {error}', async () =>
    expectError(await infer({ inputs: [input()] }, { model: 'UPPER_case.name' }), [404]),
  );
  await check('infer: unknown model with a bad body -> 404 or 400, {error}', async () =>
    expectError(await infer({}, { model: 'no-such-model-xyz' }), [400, 404]),
  );

  // typed model: BOOL/INT64/INT32 handling
  if (typedVersion) {
    const tin = (a, shape = [1, 2], datatype = 'INT32') => ({ inputs: [{ name: 'input', shape, datatype, data: a }] });
    await check('typed: an INT32 input gives INT64 and BOOL outputs (JSON numbers and booleans)', async () => {
      const r = await infer(tin([0, -3]), { model: TYPED });
      if (r.status !== 200) return expectStatus(r, [200]);
      const out = Object.fromEntries(r.json.outputs.map((o) => [o.name, o]));
      if (out.wide?.datatype !== 'INT64' || JSON.stringify(out.wide.data) !== '[0,-3]') return JSON.stringify(out.wide);
      if (out.flag?.datatype !== 'BOOL' || JSON.stringify(out.flag.data) !== '[false,true]')
        return JSON.stringify(out.flag);
      return undefined;
    });
    await bad('typed: INT32 value out of range -> 400', tin([2 ** 40, 1]), { model: TYPED });
    await bad('typed: fraction in INT32 -> 400', tin([1.5, 1]), { model: TYPED });
    await bad('typed: BOOL given where INT32 expected -> 400', tin([true, false], [1, 2], 'BOOL'), { model: TYPED });
    await bad('typed: booleans in INT32 data -> 400', tin([true, false]), { model: TYPED });
  }

  // a model with no production version, and one that fails at run time
  const BARE = `oip-bare-${suffix}`;
  const BROKEN = `oip-broken-${suffix}`;
  await register(BARE, logistic(), features, false);
  await register(BROKEN, broken(), features, false);
  await check(
    'no production version: infer without a version -> 404 {error}, with version 1 -> 200',
    async () =>
      expectError(await infer({ inputs: [input()] }, { model: BARE }), [404]) ||
      expectStatus(await infer({ inputs: [input()] }, { model: BARE, version: '1' }), [200]),
  );
  await check(
    'no production version: versioned metadata and ready -> 200',
    async () =>
      expectStatus(await req('GET', `/v2/models/${BARE}/versions/1`), [200]) ||
      expectStatus(await req('GET', `/v2/models/${BARE}/versions/1/ready`), [200]),
  );
  await check('model fails at run time -> 500 {error} (runtime fault)', async () =>
    expectError(await infer({ inputs: [input()] }, { model: BROKEN, version: '1' }), [500]),
  );

  // wrong methods, auth
  for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
    await check(`${method} on infer -> 404/405, not 500`, async () =>
      expectStatus(await req(method, `/v2/models/${M}/infer`), [404, 405]),
    );
  }
  await check('HEAD /v2/health/live -> 200, not 500', async () =>
    expectStatus(await req('HEAD', '/v2/health/live', { key: false }), [200, 404, 405]),
  );
  await check('unknown /v2 route -> 404 {error}', async () => expectError(await req('GET', '/v2/nope/nope'), [404]));
  await check('infer without a key -> 401 {error}', async () =>
    expectError(await infer({ inputs: [input()] }, { key: false }), [401]),
  );
  await check('infer with a wrong key -> 401 {error}', async () =>
    expectError(
      await infer(
        { inputs: [input()] },
        { key: false, headers: { authorization: 'Bearer wrong-key-0123456789abcdef' } },
      ),
      [401],
    ),
  );
  await check('metadata without a key -> 401 {error}', async () =>
    expectError(await req('GET', `/v2/models/${M}`, { key: false }), [401]),
  );
  await check('repository index without a key -> 401 {error}', async () =>
    expectError(await req('POST', '/v2/repository/index', { key: false, body: {} }), [401]),
  );

  // repository extension
  const indexProblem = (r) => {
    if (r.status !== 200) return expectStatus(r, [200]);
    if (!Array.isArray(r.json)) return `not a list: ${r.text.slice(0, 200)}`;
    for (const e of r.json) {
      if (typeof e.name !== 'string' || typeof e.state !== 'string' || typeof e.reason !== 'string')
        return JSON.stringify(e);
      if (e.version !== undefined && typeof e.version !== 'string') return JSON.stringify(e);
    }
    return undefined;
  };
  await check('repository index with {} lists the model', async () => {
    const r = await req('POST', '/v2/repository/index', { body: {} });
    return indexProblem(r) || (r.json.some((e) => e.name === M) ? undefined : 'model missing');
  });
  await check('repository index with no body', async () => indexProblem(await req('POST', '/v2/repository/index')));
  await check('repository index with {ready:true} lists only READY entries', async () => {
    const r = await req('POST', '/v2/repository/index', { body: { ready: true } });
    return indexProblem(r) || (r.json.every((e) => e.state === 'READY') ? undefined : 'non-ready entry');
  });
  await check('repository index with {ready:"yes"} -> 400 {error}', async () =>
    expectError(await req('POST', '/v2/repository/index', { body: { ready: 'yes' } }), [400]),
  );
  await check('repository unload known model -> 200, then index shows it not READY', async () => {
    const r = await req('POST', `/v2/repository/models/${M}/unload`, { body: {} });
    if (r.status !== 200) return expectStatus(r, [200]);
    const idx = await req('POST', '/v2/repository/index', { body: { ready: false } });
    return idx.json.some((e) => e.name === M) ? undefined : 'still READY';
  });
  await check('repository load known model -> 200, then READY', async () => {
    const r = await req('POST', `/v2/repository/models/${M}/load`);
    if (r.status !== 200) return expectStatus(r, [200]);
    const idx = await req('POST', '/v2/repository/index', { body: { ready: true } });
    return idx.json.some((e) => e.name === M) ? undefined : 'not READY after load';
  });
  await check('repository load unknown model -> 404 {error}', async () =>
    expectError(await req('POST', '/v2/repository/models/no-such-model-xyz/load'), [404]),
  );
  await check('repository unload unknown model -> 404 {error}', async () =>
    expectError(await req('POST', '/v2/repository/models/no-such-model-xyz/unload'), [404]),
  );
  await check('repository load with {parameters:{config}} -> 200 or 400, not 500', async () =>
    expectStatus(
      await req('POST', `/v2/repository/models/${M}/load`, { body: { parameters: { config: '{}' } } }),
      [200, 400],
    ),
  );
  await check('infer after unload loads again (200)', async () => {
    await req('POST', `/v2/repository/models/${M}/unload`);
    return expectStatus(await infer({ inputs: [input()] }), [200]);
  });

  await check(`every error body is exactly {"error": string} (${extraMembers.length} were not)`, async () =>
    extraMembers.length ? `e.g. ${extraMembers[0]}` : undefined,
  );

  const failed = results.filter((r) => !r.ok);
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}${r.ok ? '' : `\n      ${r.problem}`}`);
  console.log(`\n${results.length - failed.length}/${results.length} passed`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
