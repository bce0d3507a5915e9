import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from 'src/platform/database';

describe(EmbeddedPostgres.name, () => {
  let root: string;

  beforeAll(() => {
    mkdirSync('.data', { recursive: true });
    root = mkdtempSync(join('.data', 'embedded-test-'));
    chmodSync(root, 0o755);
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('should initialise, serve the app database and stop cleanly when started on an empty directory', async () => {
    const pg = new EmbeddedPostgres({ dataDir: join(root, 'a'), port: 54391 });
    const url = await pg.start();
    try {
      const client = new Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT current_database() AS db');
      await client.end();
      expect(rows[0].db).toBe('app');
    } finally {
      pg.stop();
    }
    const after = new Client({ connectionString: url });
    await expect(after.connect()).rejects.toThrow();
  });

  it('should fail at once with a clear message when another live process owns the data directory', async () => {
    const dir = join(root, 'b');
    const first = new EmbeddedPostgres({ dataDir: dir, port: 54392 });
    await first.start();
    first.stop();
    const owner = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'owner.pid'), String(owner.pid));
      const second = new EmbeddedPostgres({ dataDir: dir, port: 54392 });
      await expect(second.start()).rejects.toThrow(
        new RegExp(`data directory .* is in use by process ${owner.pid}; stop it, or set EMBEDDED_PG_DIR`),
      );
    } finally {
      owner.kill();
    }
  });
});
