// Helpers shared by the benchmarks: start the built server as a child process, wait for readiness, load it.
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

module.exports = { load, sleep, startServer, stopServer, waitForStatus };
