// What the A/B benches (experiments, alloc) set up through the API: a model with versions of one file, and a
// running 50/50 experiment on it (optionally with a shadow at 100%), and the single row they predict.
const { readFileSync } = require('node:fs');

/** A JSON (or multipart) call to the API at `base` with a bearer key; throws on an answer that is not 2xx. */
function apiClient(base, key) {
  return async function api(method, path, body) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      },
      body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** A model with `versions` versions of `file` (16 float features); version 1 is production. */
async function registerModel(api, name, file, versions) {
  await api('POST', '/api/v1/models', {
    name,
    tokenId: name.toUpperCase(),
    benchmarkMetric: 'accuracy',
    benchmarkValue: 0.8,
  });
  for (let i = 0; i < versions; i++) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), 'model.onnx');
    form.append(
      'metadata',
      JSON.stringify({ features: Array.from({ length: 16 }, (_, j) => ({ name: `f${j}`, type: 'float' })) }),
    );
    await api('POST', `/api/v1/models/${name}/versions`, form);
  }
  await api('POST', `/api/v1/models/${name}/promote`, { version: 1 });
}

/** A running experiment on `model`: versions 1 and 2 at 50/50, and version 3 as a shadow at 100% when asked. */
async function startExperiment(api, model, label, shadow = false) {
  const e = await api('POST', '/api/v1/experiments', {
    name: `${label} ${model}`,
    model,
    variants: [
      { name: 'control', version: 1, weight: 50 },
      { name: 'treatment', version: 2, weight: 50 },
    ],
    ...(shadow ? { shadow: { version: 3, percent: 100 } } : {}),
    primaryMetric: { name: 'conversion', kind: 'proportion', direction: 'increase' },
    minimumDetectableEffect: 0.02,
    minSamplesPerVariant: 1000,
  });
  await api('POST', `/api/v1/experiments/${e.id}/start`);
}

/** The one row every request predicts. */
const payload = JSON.stringify({
  instances: [Array.from({ length: 16 }, (_, j) => Math.round(Math.sin(31 + j) * 1000) / 1000)],
});

module.exports = { apiClient, payload, registerModel, startExperiment };
