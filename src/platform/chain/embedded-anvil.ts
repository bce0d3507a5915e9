import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isAlive } from '../process/is-alive';
import { keptPort } from '../process/ports';

export interface EmbeddedAnvilOptions {
  dir: string;
  /** 0: a free port, chosen on the first start and kept in `dir/port` (reused while it stays free). */
  port: number;
  chainId: number;
  /** The anvil executable; by default the one of the optional npm package. */
  binary?: string;
  log?: (message: string) => void;
}

export class EmbeddedAnvilError extends Error {
  override name = 'EmbeddedAnvilError';
}

const PACKAGE = '@foundry-rs/anvil-linux-amd64';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** The anvil binary shipped by the optional npm package, or undefined where it is not installed (not Linux x64). */
export function anvilBinary(): string | undefined {
  try {
    const bin = join(dirname(require.resolve(`${PACKAGE}/package.json`)), 'bin', 'anvil');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * anvil as a child of the server, with its state in `dir/state.json` (dumped every 10 s and on SIGTERM). It is
 * started detached so that a terminal Ctrl-C reaches the server's shutdown hooks first, which then stop it and
 * let it write its state. `dir/anvil.pid` holds "anvilPid ownerPid": a live owner keeps a second server off
 * the directory; an orphan left by an owner that was killed is stopped (its state saved) and started again.
 */
export class EmbeddedAnvil {
  private readonly dir: string;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  url?: string;

  constructor(private readonly options: EmbeddedAnvilOptions) {
    this.dir = resolve(options.dir);
  }

  private get pidFile(): string {
    return join(this.dir, 'anvil.pid');
  }

  async start(): Promise<string> {
    const bin = this.options.binary ?? anvilBinary();
    if (!bin || !existsSync(bin)) {
      throw new EmbeddedAnvilError(
        `no anvil binary for ${process.platform}-${process.arch} (the optional package ${PACKAGE} is Linux x64 only): ` +
          'set ETH_RPC_URL to a JSON-RPC node (for example anvil from foundryup or docker-compose) and MINTER_PRIVATE_KEY',
      );
    }
    mkdirSync(this.dir, { recursive: true });
    await this.reapOrphan();
    // Kept so that a wallet or script pointed at the local chain finds it again after a restart.
    const port = this.options.port || (await keptPort(join(this.dir, 'port')));
    const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(this.options.chainId)];
    args.push('--state', join(this.dir, 'state.json'), '--state-interval', '10');
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    const address = await this.waitForListening(child);
    writeFileSync(this.pidFile, `${child.pid} ${process.pid}`);
    this.url = `http://${address}`;
    this.options.log?.(
      `embedded anvil (chain id ${this.options.chainId}) listening on ${this.url}, state in ${this.dir}`,
    );
    return this.url;
  }

  private waitForListening(child: ChildProcess): Promise<string> {
    return new Promise((done, fail) => {
      let output = '';
      const timer = setTimeout(
        () => finish(new EmbeddedAnvilError(`anvil did not start: ${output.trim()}`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-4000);
        const m = /Listening on (\S+)/.exec(output);
        if (m) finish(undefined, m[1]);
      };
      const onExit = (code: number | null) =>
        finish(new EmbeddedAnvilError(`anvil exited (code ${code}) before listening: ${output.trim()}`));
      const finish = (err?: Error, address?: string) => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.off('exit', onExit);
        // Keep draining its output so that a full pipe never blocks anvil.
        child.stdout!.resume();
        child.stderr!.resume();
        if (err) {
          child.kill('SIGKILL');
          fail(err);
        } else done(address!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  private async reapOrphan(): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    const [anvilPid, ownerPid] = readPidFile(this.pidFile);
    if (ownerPid && ownerPid !== process.pid && isAlive(ownerPid)) {
      throw new EmbeddedAnvilError(
        `embedded chain directory ${this.dir} is in use by process ${ownerPid}; stop it, or set EMBEDDED_CHAIN_DIR to another directory, or ETH_RPC_URL`,
      );
    }
    if (anvilPid && isAnvil(anvilPid)) {
      this.options.log?.(`stopping anvil ${anvilPid} left by process ${ownerPid}, which is gone`);
      process.kill(anvilPid, 'SIGTERM');
      const until = Date.now() + STOP_TIMEOUT_MS;
      while (isAlive(anvilPid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      if (isAlive(anvilPid)) process.kill(anvilPid, 'SIGKILL');
    }
    rmSync(this.pidFile, { force: true });
  }

  /** SIGTERM makes anvil write its state before it exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    // Another server may have taken the directory over after this anvil was stopped from outside.
    if (readPidFile(this.pidFile)[0] === child.pid) rmSync(this.pidFile, { force: true });
    this.options.log?.('embedded anvil stopped');
  }

  /** The anvil process id while it runs (tests check that shutdown ends it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}

/** [anvilPid, ownerPid]; zeros when the file is missing or unreadable. */
function readPidFile(file: string): [number, number] {
  try {
    const [anvil, owner] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return [anvil || 0, owner || 0];
  } catch {
    return [0, 0];
  }
}

/** A pid file can outlive its process and the pid be reused: only a process that is anvil is stopped. */
function isAnvil(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('anvil');
  } catch {
    return false;
  }
}
