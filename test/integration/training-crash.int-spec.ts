import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApiKey } from '../factories/api-key.factory';
import { modelTrainedOn, trainingRows } from '../factories/training.factory';
import { freePort, killHard } from '../support/processes';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const ROOT = join(__dirname, '..', '..');

/** `npm start` on the test database, working jobs (the test's own app does not). */
async function startWorker(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      LOG_HTTP_REQUESTS: 'false',
      CHAIN_ENABLED: 'false',
      JOBS_POLL_INTERVAL_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes('API docs:') || child.exitCode !== null, 'the worker to start', 110_000);
  if (child.exitCode !== null) throw new Error(`the worker exited: ${output}`);
  return child;
}

describe('faults: a server killed with SIGKILL during a training run', () => {
  let t: TestApp;
  let worker: ChildProcess | undefined;
  let restarted: TestApp | undefined;

  beforeAll(async () => {
    t = await createTestApp({ env: { JOBS_ENABLED: 'false' } });
  });
  afterAll(async () => {
    if (worker) await killHard(worker);
    await restarted?.app.close();
    await t.close();
  });

  it('should run the training again after a restart and register its version once when the process running it was killed', async () => {
    const owner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'training:write'] });
    const name = await modelTrainedOn(t, owner, trainingRows(2000, 21));
    worker = await startWorker(t.databaseUrl);
    // An MLP big enough to be still training when the process is killed.
    const res = await t.http
      .post(`/api/v1/models/${name}/training-runs`)
      .set(owner.headers)
      .send({ family: 'mlp_classifier', hyperparameters: { hiddenUnits: 128, epochs: 300 }, seed: 5 })
      .expect(202);
    const runId = res.body.id as string;
    const status = async () =>
      (await t.http.get(`/api/v1/training-runs/${runId}`).set(owner.headers).expect(200)).body.status as string;
    await waitFor(async () => (await status()) === 'running', 'the run to start', 60_000);

    await killHard(worker);
    worker = undefined;
    expect(await status()).toBe('running');

    // The restart: a process working jobs again. pg-boss alone would retry the job only after its expiry (one hour).
    restarted = await createTestApp({ databaseUrl: t.databaseUrl, env: { JOBS_POLL_INTERVAL_MS: '500' } });
    await waitFor(async () => ['registered', 'failed'].includes(await status()), 'the run to end', 150_000);
    expect(await status()).toBe('registered');

    const events: Array<{ type: string }> = await t.app
      .get(DataSource)
      .query(`SELECT type FROM events WHERE data->>'runId' = $1 AND type <> 'training.started'`, [runId]);
    expect(events.map((e) => e.type)).toEqual(['training.completed']);
    const versions = await t.http.get(`/api/v1/models/${name}/versions`).set(owner.headers).expect(200);
    expect(versions.body.items.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);
  }, 300_000);
});
