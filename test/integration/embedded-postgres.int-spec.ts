import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
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

  it('should run two servers from two data directories at once and keep each port across a restart when no port is configured', async () => {
    const a = new EmbeddedPostgres({ dataDir: join(root, 'two-a'), port: 0 });
    const b = new EmbeddedPostgres({ dataDir: join(root, 'two-b'), port: 0 });
    const urlA = await a.start();
    try {
      const urlB = await b.start();
      try {
        expect(urlA).not.toBe(urlB);
        expect(await currentDatabase(urlA)).toBe('app');
        expect(await currentDatabase(urlB)).toBe('app');
      } finally {
        b.stop();
      }
    } finally {
      a.stop();
    }
    const again = new EmbeddedPostgres({ dataDir: join(root, 'two-a'), port: 0 });
    try {
      expect(await again.start()).toBe(urlA);
    } finally {
      again.stop();
    }
  });

  it('should reuse the port of a postmaster left running when its owner is gone and no port is configured', async () => {
    const dir = join(root, 'orphan');
    const first = new EmbeddedPostgres({ dataDir: dir, port: 0 });
    const url = await first.start();
    // The kept port is gone too: only the running postmaster knows where it listens.
    rmSync(join(dir, 'port'));
    const next = new EmbeddedPostgres({ dataDir: dir, port: 0 });
    try {
      expect(await next.start()).toBe(url);
      expect(await currentDatabase(url)).toBe('app');
    } finally {
      next.stop();
      first.stop();
    }
  });

  it('should move to another free port and keep that one when something else took the kept port', async () => {
    const dir = join(root, 'taken');
    const first = new EmbeddedPostgres({ dataDir: dir, port: 0 });
    const firstUrl = await first.start();
    first.stop();
    const kept = Number(readFileSync(join(dir, 'port'), 'utf8'));
    const squatter = await listen(kept);
    const second = new EmbeddedPostgres({ dataDir: dir, port: 0 });
    try {
      const url = await second.start();
      expect(url).not.toBe(firstUrl);
      expect(await currentDatabase(url)).toBe('app');
      expect(Number(readFileSync(join(dir, 'port'), 'utf8'))).not.toBe(kept);
    } finally {
      second.stop();
      squatter.close();
    }
  });
});

async function currentDatabase(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT current_database() AS db');
    return rows[0].db as string;
  } finally {
    await client.end();
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}
