// The soak's instrument on its own (issue 24 §8): the soak's predict load (bench/soak-load.js, same rate, same
// requests, an outcome for every tenth) against a server that does nothing but answer, for SOAK_MINUTES (10) after
// a 10 s warm-up. What its minutes' p99 do here is the noise of the machine and the load generator, which the
// soak's figures carry too. Prints the soak's per-minute table and the p99 first -> last minute.
// Usage: npm run bench:soak:floor   (SOAK_MINUTES, SOAK_RATE, BENCH_PORT)
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const os = require('node:os');
const { Worker } = require('node:worker_threads');
const { machineCpu, stopServer, waitForStatus } = require('./lib');
const { Window } = require('./soak-load');

const PORT = Number(process.env.BENCH_PORT || 3298);
const MINUTES = Number(process.env.SOAK_MINUTES || 10);
const RATE = Number(process.env.SOAK_RATE || 1000);
const FEATURES = ['a', 'b'];

// Answers predict like the server does (a request id and a label) and an outcome with 204, nothing else.
const SERVER = `
let n = 0;
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url.endsWith('/predict')) {
      const body = JSON.stringify({ requestId: 'r' + n++, predictions: [{ label: 1 }] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else if (req.url === '/ready') res.end('ok');
    else { res.writeHead(204); res.end(); }
  });
}).listen(${PORT}, '127.0.0.1');`;

async function main() {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: 'inherit' });
  const cpu = machineCpu();
  try {
    await waitForStatus(`http://127.0.0.1:${PORT}/ready`, 200, 10_000);
    const start = Date.now() + 10_000;
    const worker = new Worker(join(__dirname, 'soak-load.js'), {
      workerData: {
        base: `http://127.0.0.1:${PORT}`,
        key: 'none',
        model: 'floor',
        rate: RATE,
        start,
        end: start + MINUTES * 60_000,
        minutes: MINUTES,
        features: FEATURES,
        label: 'y',
        traffic: Array.from({ length: 4096 }, (_, i) => ({ a: i, b: i / 7, y: 1 })),
      },
    });
    const { windows } = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    console.log(`${os.cpus().length} cores (${os.cpus()[0].model}), Node ${process.version}`);
    console.log(`${MINUTES} min at ${RATE} predict/s against a server that does nothing, after 10 s of warm-up\n`);
    console.log('| minute | predictions | p50 ms | p99 ms | load event loop max ms | CPU busy / stolen % |');
    console.log('| -----: | ----------: | -----: | -----: | ---------------------: | ------------------: |');
    const minutes = windows.slice(1, MINUTES + 1).map((data) => Window.from(data));
    minutes.forEach((w, i) => {
      const c = cpu.over(start + i * 60_000, 60_000);
      const pct = (x) => (x * 100).toFixed(0);
      console.log(
        `| ${i + 1} | ${w.latencies.length} | ${w.quantile(0.5).toFixed(2)} | ${w.quantile(0.99).toFixed(2)} | ${w.clientLoopMaxMs.toFixed(1)} | ${pct(c.busy)} / ${pct(c.steal)} |`,
      );
    });
    const p99 = minutes.map((w) => w.quantile(0.99));
    const change = p99[p99.length - 1] / p99[0] - 1;
    console.log(
      `\np99 first -> last minute: ${p99[0].toFixed(2)} -> ${p99[p99.length - 1].toFixed(2)} ms (${(change * 100).toFixed(1)}%); ` +
        `minutes range ${Math.min(...p99).toFixed(2)}–${Math.max(...p99).toFixed(2)} ms`,
    );
  } finally {
    cpu.stop();
    await stopServer(server);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
