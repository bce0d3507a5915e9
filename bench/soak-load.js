// The soak's predict load, in a worker thread of its own so that the bench's other work (signing contributions,
// verifying webhooks) never delays a request or its timing: routed single-row predict, open loop at `rate`
// requests a second, an outcome for every tenth; each answer counted in the time window it completed in. Requests go
// through bench/raw-http.js: node:http's own cost and stalls showed up in the figures (bench/RESULTS.md, soak).
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { parentPort, workerData } = require('node:worker_threads');
const { RawHttpClient } = require('./raw-http');

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
  const client = new RawHttpClient(base, { maxSockets: 64 });
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

  const json = `Authorization: Bearer ${key}\r\nContent-Type: application/json\r\n`;
  const post = (path, body, headers = '') => {
    const started = performance.now();
    return client.request('POST', path, json + headers, body).then(
      (res) => ({ status: res.status, ms: performance.now() - started, body: res.body }),
      () => ({ status: 0, ms: performance.now() - started }),
    );
  };
  const bodies = traffic.map((row) =>
    JSON.stringify({ inputs: [Object.fromEntries(features.map((f) => [f, row[f]]))] }),
  );

  let sent = 0;
  const predictOnce = async () => {
    const i = sent++;
    const row = traffic[i % traffic.length];
    const res = await post(
      `/api/v1/models/${model}/predict`,
      bodies[i % traffic.length],
      `X-User-Id: user-${i % 5000}\r\nCache-Control: no-cache\r\n`,
    );
    const w = windowNow();
    w.count(res.status);
    if (res.status !== 200) return;
    w.latencies.push(res.ms);
    perSecond(res.ms);
    if (i % 10 !== 0) return;
    const answer = JSON.parse(res.body.toString());
    const value = answer.predictions[0].label === row[label] ? 1 : 0;
    const outcome = await post(`/api/v1/predictions/${answer.requestId}/outcome`, JSON.stringify({ value }));
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
    let pending = 0;
    const one = async () => {
      pending++;
      try {
        await predictOnce();
      } finally {
        pending--;
      }
    };
    while (Date.now() < end) {
      const due = Math.floor(((performance.now() - started) * rate) / 1000);
      for (; issued < due; issued++) void one();
      await new Promise((r) => setTimeout(r, 10));
    }
    while (pending > 0) await new Promise((r) => setTimeout(r, 10));
    clearInterval(loopSampler);
    loop.disable();
    client.close();
    return { windows, seconds: [...seconds.values()] };
  })();
}

if (parentPort) runLoad(workerData).then((result) => parentPort.postMessage(result));

module.exports = { Window, windowOf };
