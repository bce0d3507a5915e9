import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../src/platform/config';
import { EmbeddedPostgres } from '../src/platform/database';

/**
 * Runs a command with DATABASE_URL set. When it is already set, it is used as is. Otherwise a database is
 * started: with `--throwaway`, a fresh one in a temporary directory (removed afterwards; for generating and
 * checking migrations), else the app's own embedded one (EMBEDDED_PG_DIR).
 *
 *   node dist/scripts/with-database.js [--throwaway] -- <command> [args...]
 */
async function main(): Promise<void> {
  const sep = process.argv.indexOf('--');
  const flags = process.argv.slice(2, sep < 0 ? undefined : sep);
  const command = sep < 0 ? [] : process.argv.slice(sep + 1);
  if (command.length === 0) throw new Error('usage: with-database [--throwaway] -- <command> [args...]');
  const env = loadEnvironment();

  let pg: EmbeddedPostgres | undefined;
  let tmp: string | undefined;
  let url = env.DATABASE_URL;
  if (!url) {
    if (flags.includes('--throwaway')) {
      mkdirSync('.data', { recursive: true });
      tmp = mkdtempSync(join('.data', 'tmp-pg-'));
      chmodSync(tmp, 0o755); // as root, the postgres user must be able to reach the data directory
      pg = new EmbeddedPostgres({ dataDir: join(tmp, 'pg'), port: 0 });
    } else {
      pg = new EmbeddedPostgres({ dataDir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT });
    }
    url = await pg.start();
  }
  let status = 1;
  try {
    const r = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, DATABASE_URL: url } });
    status = r.status ?? 1;
  } finally {
    pg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(status);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
