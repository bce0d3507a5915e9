import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { anvilBinary } from 'src/platform/chain';
import { isAlive } from 'src/platform/process/is-alive';
import { describeWhenInstalled } from '../support/installed';
import { makeTempDir } from '../support/temp-dir';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

const ROOT = join(__dirname, '..', '..');

const freePort = (): Promise<number> =>
  new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** The children of `pid` and the command line of each. */
function children(pid: number): { pid: number; cmd: string }[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when there is none
  }
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter(isAlive)
    .map((child) => ({
      pid: child,
      cmd: readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' '),
    }));
}

const servers = (pid: number) => children(pid).filter((c) => c.cmd.includes('src/main.ts'));

describeWhenInstalled(!!anvilBinary(), 'the anvil binary', 'npm install', 'WEB_CONCURRENCY', () => {
  let primary: ChildProcess;
  let output = '';
  let base: string;
  let drop: () => Promise<void>;
  const chainDir = makeTempDir('cluster-chain-');

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    primary = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        WEB_CONCURRENCY: '2',
        DATABASE_URL: db.url,
        REDIS_URL: '',
        ADMIN_API_KEY: TEST_ADMIN_KEY,
        LOG_HTTP_REQUESTS: 'false',
        CHAIN_ENABLED: 'true',
        ETH_RPC_URL: '',
        MINTER_PRIVATE_KEY: '',
        CHAIN_ID: '31337',
        EMBEDDED_CHAIN_DIR: chainDir.path,
        EMBEDDED_CHAIN_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    primary.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(
      () => output.includes('2 server processes listening'),
      `two processes listening:\n${output}`,
      110_000,
    );
  }, 120_000);

  afterAll(async () => {
    if (primary.exitCode === null) {
      primary.kill('SIGKILL');
      for (const c of children(primary.pid!)) process.kill(c.pid, 'SIGKILL');
    }
    await drop();
    chainDir.remove();
  });

  it('should run two server processes on one port, and the embedded chain in the primary, when WEB_CONCURRENCY=2', async () => {
    expect(servers(primary.pid!)).toHaveLength(2);
    expect(children(primary.pid!).some((c) => c.cmd.includes('anvil'))).toBe(true);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/api/v1/api-keys/current`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, connection: 'close' },
      });
      expect(res.status).toBe(200);
    }
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('should start a server process again and keep answering when one is killed', async () => {
    const [victim, survivor] = servers(primary.pid!);
    process.kill(victim.pid, 'SIGKILL');
    expect((await fetch(`${base}/health/live`, { headers: { connection: 'close' } })).status).toBe(200);
    const replaced = await waitFor(
      () => {
        const now = servers(primary.pid!).map((s) => s.pid);
        return now.length === 2 && !now.includes(victim.pid) && now.includes(survivor.pid) && now;
      },
      'a new server process',
      90_000,
    );
    expect(replaced).toHaveLength(2);
    expect(output).toContain(`server process ${victim.pid} exited (SIGKILL)`);
  }, 120_000);

  it('should stop every server process and the embedded chain, and exit 0, when the primary gets SIGTERM', async () => {
    const before = children(primary.pid!).map((c) => c.pid);
    const exited = new Promise<number | null>((done) => primary.once('exit', (code) => done(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(() => before.every((pid) => !isAlive(pid)), 'every child gone', 20_000);
  }, 60_000);
});
