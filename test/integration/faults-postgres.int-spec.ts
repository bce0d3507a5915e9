import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from 'src/platform/database';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** The test PostgreSQL is shared by every suite, so this one restarts a PostgreSQL of its own. */
describe('faults: PostgreSQL restarted under traffic', () => {
  let root: string;
  let pg: EmbeddedPostgres;
  let t: TestApp;

  beforeAll(async () => {
    mkdirSync('.data', { recursive: true });
    root = mkdtempSync(join('.data', 'faults-pg-'));
    chmodSync(root, 0o755); // as root, PostgreSQL runs as `postgres` and must reach the directory
    pg = new EmbeddedPostgres({ dataDir: join(root, 'pg'), port: 0 });
    t = await createTestApp({ databaseUrl: await pg.start() });
  });
  afterAll(async () => {
    await t?.close();
    pg?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Registers a model; the answer's status, content type and the name it asked for. */
  let n = 0;
  const register = async () => {
    const name = `pg-fault-${++n}`;
    const res = await t.http
      .post('/api/v1/models')
      .set(t.admin)
      .send({ name, tokenId: `PGF-${n}`, benchmarkMetric: 'accuracy', benchmarkValue: 0.8 });
    return { name, status: res.status, type: String(res.headers['content-type']), code: res.body.code as string };
  };

  it('should fail readiness with 503 problem+json answers in the gap, recover, and keep every accepted write when PostgreSQL restarts', async () => {
    const answers: Array<Awaited<ReturnType<typeof register>>> = [];
    let traffic = true;
    const load = (async () => {
      while (traffic) answers.push(await register());
    })();
    await waitFor(() => answers.filter((a) => a.status === 201).length >= 5, 'writes before the restart');

    pg.stop();
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.components.database.status).toBe('down');
    await waitFor(() => answers.some((a) => a.status === 503), 'a request refused while PostgreSQL is down');

    await pg.start();
    await waitFor(
      async () => (await t.http.get('/health/ready')).status === 200,
      'readiness after the restart',
      30_000,
    );
    const after = answers.length;
    await waitFor(() => answers.slice(after).some((a) => a.status === 201), 'a write after the restart');
    traffic = false;
    await load;

    // Every answer was either a success or a 503 problem the client may retry; nothing in between.
    for (const a of answers) {
      if (a.status === 201) continue;
      expect(a).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(a.type).toMatch(/^application\/problem\+json/);
    }
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM models');
      const stored = new Set(rows.map((r) => r.name));
      for (const a of answers.filter((x) => x.status === 201)) expect(stored.has(a.name)).toBe(true);
    } finally {
      await client.end();
    }
  }, 90_000);
});
