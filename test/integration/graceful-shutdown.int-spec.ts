import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { anvilBinary } from 'src/platform/chain';
import { Client } from 'pg';
import supertest from 'supertest';
import { EmbeddedPostgres } from 'src/platform/database';
import { experimentBody } from '../factories/experiment.factory';
import { features16, LOGREG, MLP } from '../factories/model.factory';
import { describeWhenInstalled } from '../support/installed';
import { accepts, freePort, running } from '../support/processes';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { waitFor } from '../support/wait';

const ROOT = join(__dirname, '..', '..');

/** A POST whose body is sent in two parts: the request is in flight on the server until `finish` is called. */
function slowPost(port: number, path: string, body: object) {
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  const req = request({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: {
      authorization: `Bearer ${TEST_ADMIN_KEY}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    },
  });
  const answer = new Promise<{ status: number; body: string }>((done, fail) => {
    req.on('response', (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => done({ status: res.statusCode!, body: data }));
    });
    req.on('error', fail);
  });
  // Written is not read: a busy server may not have read the request yet when SIGTERM comes, and would then refuse
  // it as closing (503). An answer on a connection opened after the half was written means it has read that too.
  const started = new Promise<void>((done) => req.write(text.slice(0, half), () => done())).then(
    () =>
      new Promise<void>((done, fail) =>
        request({ host: '127.0.0.1', port, path: '/health/live' }, (res) => res.resume().on('end', done))
          .on('error', fail)
          .end(),
      ),
  );
  return { started, answer, finish: () => req.end(text.slice(half)) };
}

interface Server {
  child: ChildProcess;
  port: number;
  dir: string;
  output: () => string;
}

/** `npm start` as a process of its own, with its own embedded PostgreSQL and chain in `dir`. */
async function startServer(dir: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '1',
      DATABASE_URL: '',
      EMBEDDED_PG_DIR: join(dir, 'pg'),
      EMBEDDED_PG_PORT: '0',
      REDIS_URL: '',
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      LOG_HTTP_REQUESTS: 'false',
      CHAIN_ENABLED: 'true',
      ETH_RPC_URL: '',
      MINTER_PRIVATE_KEY: '',
      CHAIN_ID: '31337',
      EMBEDDED_CHAIN_DIR: join(dir, 'anvil'),
      EMBEDDED_CHAIN_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes('API docs:') || child.exitCode !== null, 'the server to listen', 110_000);
  if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
  return { child, port, dir, output: () => output };
}

function childrenNamed(pid: number, name: string): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid), name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

const postmasterOf = (s: Server) => Number(readFileSync(join(s.dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const model = (name: string) => ({
  name,
  tokenId: name.toUpperCase(),
  benchmarkMetric: 'accuracy',
  benchmarkValue: 0.8,
});

describeWhenInstalled(!!anvilBinary(), 'the anvil binary', 'npm install', 'graceful shutdown on SIGTERM', () => {
  let root: string;
  const started: Server[] = [];
  const boot = async (env?: Record<string, string>) => {
    const s = await startServer(mkdtempSync(join(root, 'server-')), env);
    started.push(s);
    return s;
  };

  beforeAll(() => {
    mkdirSync(join(ROOT, '.data'), { recursive: true });
    root = mkdtempSync(join(ROOT, '.data', 'shutdown-'));
    chmodSync(root, 0o755); // as root, PostgreSQL runs as `postgres` and must reach the directories
  });

  afterAll(() => {
    // Whatever a failed run left behind.
    for (const s of started) {
      if (s.child.exitCode === null) {
        // anvil runs detached: it would outlive a SIGKILLed server.
        for (const pid of childrenNamed(s.child.pid!, 'anvil')) process.kill(pid, 'SIGKILL');
        s.child.kill('SIGKILL');
      }
      try {
        const pid = postmasterOf(s);
        if (running(pid)) process.kill(pid, 'SIGTERM');
      } catch {
        // No postmaster.pid: PostgreSQL stopped.
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('should finish the request in flight, refuse new connections, flush the prediction log, stop PostgreSQL and the chain and exit 0 when it gets SIGTERM', async () => {
    const server = await boot();
    const postmaster = postmasterOf(server);
    const [anvil] = childrenNamed(server.child.pid!, 'anvil');
    expect(running(postmaster)).toBe(true);
    expect(running(anvil)).toBe(true);

    // Predictions routed by an experiment, answered just before SIGTERM: the log keeps them in memory for up to 1 s.
    const http = supertest(`http://127.0.0.1:${server.port}`);
    const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const { name } = (await http.post('/api/v1/models').set(admin).send(model('routed')).expect(201)).body as {
      name: string;
    };
    for (const file of [LOGREG, MLP]) {
      await http
        .post(`/api/v1/models/${name}/versions`)
        .set(admin)
        .field('metadata', JSON.stringify({ features: features16() }))
        .attach('file', file)
        .expect(201);
    }
    await http.post(`/api/v1/models/${name}/promote`).set(admin).send({ version: 1 }).expect(200);
    const e = await http.post('/api/v1/experiments').set(admin).send(experimentBody(name)).expect(201);
    await http.post(`/api/v1/experiments/${e.body.id}/start`).set(admin).expect(200);
    const row = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, i / 16]));
    const routed: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await http
        .post(`/api/v1/models/${name}/predict`)
        .set({ ...admin, 'x-user-id': `unit-${i}` })
        .send({ inputs: [row] })
        .expect(200);
      expect(res.body.experiment).toMatchObject({ id: e.body.id });
      routed.push(String(res.body.requestId));
    }

    const slow = slowPost(server.port, '/api/v1/models', model('drained-on-shutdown'));
    await slow.started;
    const exited = new Promise<number | null>((done) => server.child.once('exit', (code) => done(code)));
    server.child.kill('SIGTERM');
    await waitFor(() => server.output().includes('SIGTERM received'), 'the server to see SIGTERM');
    await waitFor(async () => !(await accepts(server.port)), 'new connections to be refused');

    slow.finish();
    const answer = await slow.answer;
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'drained-on-shutdown' });

    expect(await exited).toBe(0);
    await waitFor(() => !running(postmaster), 'the postmaster to exit');
    await waitFor(() => !running(anvil), 'anvil to exit');
    expect(server.output()).toContain('embedded PostgreSQL stopped');

    // The write was committed and the prediction log flushed before PostgreSQL stopped; no job is left active.
    const pg = new EmbeddedPostgres({ dataDir: join(server.dir, 'pg'), port: 0 });
    const client = new Client({ connectionString: await pg.start() });
    await client.connect();
    try {
      const models = await client.query(`SELECT 1 FROM models WHERE name = 'drained-on-shutdown'`);
      expect(models.rowCount).toBe(1);
      const logged = await client.query(`SELECT 1 FROM experiment_predictions WHERE "requestId" = ANY($1)`, [routed]);
      expect(logged.rowCount).toBe(routed.length);
      const active = await client.query(`SELECT name FROM pgboss.job WHERE state = 'active'`);
      expect(active.rows).toEqual([]);
    } finally {
      await client.end();
      pg.stop();
    }
  }, 150_000);

  it('should cut a request still running after SHUTDOWN_TIMEOUT_MS and still stop cleanly with exit code 0', async () => {
    const server = await boot({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const postmaster = postmasterOf(server);
    const stuck = slowPost(server.port, '/api/v1/models', model('never-finished'));
    await stuck.started;
    const exited = new Promise<number | null>((done) => server.child.once('exit', (code) => done(code)));
    server.child.kill('SIGTERM');

    await expect(stuck.answer).rejects.toThrow();
    expect(await exited).toBe(0);
    expect(server.output()).toContain('requests still running after 1000 ms are cut');
    await waitFor(() => !running(postmaster), 'the postmaster to exit');
  }, 150_000);
});
