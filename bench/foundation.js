// Foundation figures: time from start to /health/ready (first start on an empty data directory, then a
// restart), and GET /health/live throughput and latency at 64 connections next to a bare node:http server.
// Usage: npm run bench:foundation   (builds first; loopback only; stops by itself)
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const { load, startServer, stopServer } = require('./lib');

const ROOT = join(__dirname, '..');
const PORT = 3199;
const BARE_PORT = 3198;
const ENV = {
  PORT: String(PORT),
  EMBEDDED_PG_PORT: '54398',
  EMBEDDED_PG_DIR: join(ROOT, 'bench', '.out', 'pg'),
  EMBEDDED_CHAIN_DIR: join(ROOT, 'bench', '.out', 'anvil'),
  LOG_HTTP_REQUESTS: 'false',
  LOG_LEVEL: 'warn',
  ADMIN_API_KEY: 'bench-admin-key-0123456789abcdef',
  DATABASE_URL: '',
  REDIS_URL: '',
};
const ready = `http://127.0.0.1:${PORT}/health/ready`;

async function main() {
  rmSync(ENV.EMBEDDED_PG_DIR, { recursive: true, force: true });
  rmSync(ENV.EMBEDDED_CHAIN_DIR, { recursive: true, force: true });
  const node = [join(ROOT, 'dist', 'src', 'main.js')];

  const first = await startServer('node', node, ENV, ready);
  await stopServer(first.child);
  const restart = await startServer('node', node, ENV, ready);

  const app = await load({ url: `http://127.0.0.1:${PORT}/health/live` });
  await stopServer(restart.child);

  const bare = await startServer(
    'node',
    [join(__dirname, 'bare-health-server.js')],
    { PORT: String(BARE_PORT) },
    `http://127.0.0.1:${BARE_PORT}/`,
  );
  const limit = await load({ url: `http://127.0.0.1:${BARE_PORT}/health/live` });
  await stopServer(bare.child);
  rmSync(ENV.EMBEDDED_PG_DIR, { recursive: true, force: true });
  rmSync(ENV.EMBEDDED_CHAIN_DIR, { recursive: true, force: true });

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nMachine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  console.log('\n| start | time to /health/ready = 200 |');
  console.log('|---|---|');
  console.log(`| first start (empty data dir: initdb + migrations) | ${(first.ms / 1000).toFixed(2)} s |`);
  console.log(`| restart | ${(restart.ms / 1000).toFixed(2)} s |`);
  console.log('\n| GET /health/live, 64 connections, 10 s | req/s | p50 ms | p99 ms | non-2xx | errors |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, r] of [
    ['this server (Nest + Fastify)', app],
    ['bare node:http', limit],
  ]) {
    console.log(`| ${name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
  }
  console.log(`\nratio: ${(app.rps / limit.rps).toFixed(2)} of the bare server's requests/s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
