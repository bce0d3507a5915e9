import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chainEnv, describeWithChain } from '../support/chain';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';
import { FAST_WEBHOOKS } from '../support/webhooks';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'test/support/swc-register.js');

const freePort = (): Promise<number> =>
  new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** Runs the demo as `npm run demo` does, minus the build, and resolves to its exit code and output. */
const runDemo = (env: Record<string, string>): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['-r', REGISTER, join(ROOT, 'src/client/demo/main.ts')],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 150_000 },
      (_error, out, err) => resolve({ code: child.exitCode ?? 1, out: out + err }),
    );
  });

/** The CI smoke test of the whole product: a real server process (PostgreSQL, anvil) and `npm run demo` against it. */
describeWithChain('npm run demo', () => {
  let server: ChildProcess;
  let output = '';
  let base: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['-r', REGISTER, 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        // The webhook target settings left unset: development's defaults must let the demo's local receiver in.
        ...chainEnv({ ...FAST_WEBHOOKS, WEBHOOK_ALLOW_HTTP: '', WEBHOOK_ALLOW_PRIVATE: '' }),
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        WEB_CONCURRENCY: '1',
        DATABASE_URL: db.url,
        REDIS_URL: '',
        ADMIN_API_KEY: TEST_ADMIN_KEY,
        LOG_HTTP_REQUESTS: 'false',
        EXPERIMENT_CHECK_SECONDS: '5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(
      async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.status === 200,
      `the server to be ready:\n${output}`,
      90_000,
    );
  }, 100_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    await drop?.();
  }, 30_000);

  it('should walk the whole flow and exit 0 when the server runs on its development defaults', async () => {
    const run = await runDemo({ DELTAONE_URL: base, DELTAONE_API_KEY: TEST_ADMIN_KEY, DEMO_TIMEOUT_SECONDS: '60' });
    expect(run).toEqual({ code: 0, out: expect.stringContaining('Demo complete') });
    const shownSteps = [
      'PII_DETECTED',
      'signature verified',
      'decision: ACCEPTED',
      'reward.minted',
      'tx 0x',
      'the server promoted v2 to production itself',
    ];
    for (const shown of shownSteps) {
      expect(run.out).toContain(shown);
    }
  }, 160_000);

  it('should exit non-zero and say why when the key is refused', async () => {
    const run = await runDemo({ DELTAONE_URL: base, DELTAONE_API_KEY: 'dok_not-a-key' });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/FAILED: error API_KEY_INVALID \(401\)/);
    expect(run.out).toContain('Demo failed.');
  });
});
