// Helpers shared by the benchmarks: start the built server as a child process, wait for readiness, load it.
const { execFile, execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const http = require('node:http');
const { URL } = require('node:url');
const autocannon = require('autocannon');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The environment of a bench's server: embedded PostgreSQL, chain and artifacts under `dir`, quiet logs, no rate
 * limit, no external database or Redis; `extra` adds to it or overrides it.
 */
function benchServerEnv({ dir, port, pgPort, key }, extra = {}) {
  return {
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    EMBEDDED_PG_DIR: join(dir, 'pg'),
    EMBEDDED_CHAIN_DIR: join(dir, 'anvil'),
    ARTIFACT_DIR: join(dir, 'artifacts'),
    LOG_HTTP_REQUESTS: 'false',
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: key,
    RATE_LIMIT_ENABLED: 'false',
    DATABASE_URL: '',
    REDIS_URL: '',
    ...extra,
  };
}

async function waitForStatus(url, status, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status === status) return;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
}

/** Starts `command args` with `env` and resolves once GET readyUrl answers 200; returns the child and the ms it took. */
async function startServer(command, args, env, readyUrl, timeoutMs = 120_000) {
  const started = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before ready:\n${output}`))),
  );
  await Promise.race([waitForStatus(readyUrl, 200, timeoutMs), exited]);
  return { child, ms: performance.now() - started, output: () => output };
}

async function stopServer(child) {
  // startServer's result is { child, ... }: passed whole, `exitCode` was undefined and nothing was stopped.
  if (typeof child?.kill !== 'function') throw new TypeError('stopServer takes the child process (server.child)');
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

/** Runs autocannon and returns requests/s (mean), p50 and p99 latency in ms, and error counts. */
async function load(opts) {
  const result = await autocannon({ connections: 64, duration: 10, ...opts });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return err.status === 1; // wrk prints its usage and exits 1 when it is there
  }
}

/** The load generator: wrk when installed (LOADGEN=autocannon forces autocannon). */
const LOADGEN = process.env.LOADGEN === 'autocannon' || !hasWrk() ? 'autocannon' : 'wrk';

/** wrk's duration as milliseconds ("1.23ms", "850.00us", "1.01s"). */
function ms(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]];
}

/**
 * The same load with wrk, from one thread: written in C, it takes a fraction of autocannon's CPU per request,
 * which on a 2-core machine is CPU the servers under test do not get. `bodyScript` is Lua that sets
 * `request` (for a body that changes per request).
 */
function loadWrk({ url, method = 'GET', connections = 64, duration = 10, headers = {}, body, bodyScript }) {
  const dir = mkdtempSync(join(os.tmpdir(), 'wrk-'));
  const lua = [
    `wrk.method = "${method}"`,
    ...Object.entries(headers)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `wrk.headers["${k}"] = [==[${v}]==]`),
    body !== undefined ? `wrk.body = [==[${body}]==]` : '',
    bodyScript ?? '',
  ].join('\n');
  writeFileSync(join(dir, 'load.lua'), lua);
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${duration}s`,
    '--latency',
    '--timeout',
    '10s',
    '-s',
    join(dir, 'load.lua'),
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, (err, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (err) return reject(err);
      const num = (re) => Number((re.exec(stdout) ?? [])[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        rps: Math.round(num(/Requests\/sec:\s+([\d.]+)/)),
        p50: ms((/^\s+50%\s+(\S+)/m.exec(stdout) ?? [])[1] ?? ''),
        p99: ms((/^\s+99%\s+(\S+)/m.exec(stdout) ?? [])[1] ?? ''),
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
        errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      });
    });
  });
}

/** A process's resident memory (Linux /proc): current (rss) and peak since start or the last resetPeak (hwm). */
function status(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) ?? [])[1] ?? 0);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * The machine's CPU per second from /proc/stat: the share of all cores busy, and the share the hypervisor stole
 * (time a vCPU wanted to run and the host ran something else), keyed by epoch second.
 */
function machineCpu() {
  const read = () => readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const seconds = new Map();
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    const [user, nice, system, idle, iowait, irq, softirq, steal] = now.map((v, i) => v - last[i]);
    last = now;
    const total = user + nice + system + idle + iowait + irq + softirq + steal || 1;
    seconds.set(Math.floor(Date.now() / 1000) - 1, {
      busy: (total - idle - iowait - steal) / total,
      steal: steal / total,
    });
  }, 1000);
  /** Mean busy and stolen shares over [t0, t0 + ms) (epoch ms), and the most stolen in one of its seconds. */
  const over = (t0, ms) => {
    const secs = [...seconds].filter(([t]) => t * 1000 >= t0 && t * 1000 < t0 + ms).map(([, c]) => c);
    const mean = (k) => secs.reduce((n, c) => n + c[k], 0) / secs.length;
    return { busy: mean('busy'), steal: mean('steal'), stealMax: Math.max(...secs.map((c) => c.steal)) };
  };
  return { seconds, over, stop: () => clearInterval(timer) };
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU time (user + system, ms) a process and its threads have used, with `reaped` also that of its children that
 * have exited; 0 when it is gone.
 */
function cpuMs(pid, reaped = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU time (ms) of an embedded PostgreSQL: its postmaster (from the data directory) and every backend of it. */
function postgresCpuMs(dataDir) {
  let postmaster;
  try {
    postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
  // The backends that have exited count through the postmaster's reaped children.
  return children(postmaster).reduce((sum, pid) => sum + cpuMs(pid), cpuMs(postmaster, true));
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function request(base, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode, body: json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    else req.end();
  });
}

module.exports = {
  benchServerEnv,
  children,
  cpuMs,
  load,
  loadWrk,
  machineCpu,
  LOADGEN,
  postgresCpuMs,
  request,
  resetPeak,
  sleep,
  startServer,
  status,
  stopServer,
  waitForStatus,
};
