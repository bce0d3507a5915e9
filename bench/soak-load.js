// The soak's predict load, in a worker thread of its own so that the bench's other work (signing contributions,
// verifying webhooks) never delays a request or its timing: routed single-row predict, open loop at `rate`
// requests a second, an outcome for every tenth; each answer counted in the time window it completed in.
const http = require('node:http');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { parentPort, workerData } = require('node:worker_threads');

/** One window's figures: the warm-up (0), a minute of the soak (1..minutes), or what ended after it. */
class Window {
  constructor() {
    this.latencies = [];
    this.codes = new Map();
    this.errors = 0;
    this.outcomes = 0;
    this.contributions = 0;
    /** This worker's own longest event-loop delay (ms): a stall here delays answers the server was not slow on. */
    this.clientLoopMaxMs = 0;
  }
  count(code) {
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    if (code === 0) this.errors++;
  }
  get fivexx() {
    return [...this.codes].filter(([c]) => c >= 500).reduce((n, [, k]) => n + k, 0);
  }
  get non2xx() {
    return [...this.codes].filter(([c]) => c >= 300 || c === 0).reduce((n, [, k]) => n + k, 0);
  }
  quantile(q) {
    const s = Float64Array.from(this.latencies).sort();
    return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
  }
  static from(data) {
    return Object.assign(new Window(), data);
  }
}

const windowOf = ({ start, minutes }, t) =>
  t < start ? 0 : Math.min(minutes + 1, 1 + Math.floor((t - start) / 60_000));

function runLoad({ base, key, model, rate, start, end, minutes, features, label, traffic }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const windows = Array.from({ length: minutes + 2 }, () => new Window());
  /** Per wall-clock second (epoch s): predictions answered, the slowest, and how many took over 50 ms. */
  const seconds = new Map();
  const perSecond = (ms) => {
    const t = Math.floor(Date.now() / 1000);
    const s = seconds.get(t) ?? { t, n: 0, max: 0, over50: 0 };
    s.n++;
    s.max = Math.max(s.max, ms);
    if (ms > 50) s.over50++;
    seconds.set(t, s);
  };
  const windowNow = () => windows[windowOf({ start, minutes }, Date.now())];

  const post = (path, body, headers = {}) =>
    new Promise((resolve) => {
      const payload = JSON.stringify(body);
      const started = performance.now();
      const req = http.request(
        `${base}${path}`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode,
              ms: performance.now() - started,
              text: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, text: err.message }));
      req.end(payload);
    });

  let sent = 0;
  const predictOnce = async () => {
    const i = sent++;
    const row = traffic[i % traffic.length];
    const res = await post(
      `/api/v1/models/${model}/predict`,
      { inputs: [Object.fromEntries(features.map((f) => [f, row[f]]))] },
      { 'x-user-id': `user-${i % 5000}`, 'cache-control': 'no-cache' },
    );
    const w = windowNow();
    w.count(res.status);
    if (res.status !== 200) return;
    w.latencies.push(res.ms);
    perSecond(res.ms);
    if (i % 10 !== 0) return;
    const answer = JSON.parse(res.text);
    const value = answer.predictions[0].label === row[label] ? 1 : 0;
    const outcome = await post(`/api/v1/predictions/${answer.requestId}/outcome`, { value });
    const o = windowNow();
    o.count(outcome.status);
    if (outcome.status < 300) o.outcomes++;
  };

  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const loopSampler = setInterval(() => {
    const w = windowNow();
    w.clientLoopMaxMs = Math.max(w.clientLoopMaxMs, loop.max / 1e6);
    loop.reset();
  }, 1000);

  return (async () => {
    const started = performance.now();
    let issued = 0;
    const inflight = new Set();
    while (Date.now() < end) {
      const due = Math.floor(((performance.now() - started) * rate) / 1000);
      for (; issued < due; issued++) {
        const p = predictOnce().finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(inflight);
    clearInterval(loopSampler);
    loop.disable();
    agent.destroy();
    return { windows, seconds: [...seconds.values()] };
  })();
}

if (parentPort) runLoad(workerData).then((result) => parentPort.postMessage(result));

module.exports = { Window, windowOf };
