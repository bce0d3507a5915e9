import cluster, { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** `WEB_CONCURRENCY` as a number of server processes: `auto` is one per core. */
export function serverProcesses(setting: string): number {
  return setting === 'auto' ? availableParallelism() : Number(setting);
}

export interface ClusterPrimaryOptions {
  processes: number;
  /** What every server process gets on top of the primary's environment (the embedded services' URLs). */
  env: Record<string, string>;
  /** How long the server processes get to drain after SIGTERM before they are killed. */
  stopTimeoutMs: number;
  log: (message: string) => void;
  error: (message: string) => void;
}

/** More crashes than this within CRASH_WINDOW_MS means the processes cannot run: the primary gives up. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;
const RESTART_DELAY_MS = 1000;

/**
 * The primary of `WEB_CONCURRENCY` server processes (node:cluster: they share the port, the primary hands each
 * connection to one of them). Every process is a full replica; the first is started alone, so that the migrations
 * and the first-boot deployments run once before the others start. A process that dies is started again; one
 * that keeps dying takes the whole server down rather than flapping.
 */
export class ClusterPrimary {
  private stopping = false;
  private crashes: number[] = [];
  private readonly exits = new Map<number, Promise<void>>();

  constructor(private readonly options: ClusterPrimaryOptions) {}

  /** Resolves once every process listens; rejects if the first one cannot start. */
  async start(onGiveUp: (reason: string) => void): Promise<void> {
    cluster.on('exit', (worker, code, signal) => {
      if (this.stopping) return;
      this.options.error(`server process ${worker.process.pid} exited (${signal ?? `code ${code}`})`);
      const now = Date.now();
      this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
      if (this.crashes.length > MAX_CRASHES) {
        onGiveUp(`${this.crashes.length} server processes exited within ${CRASH_WINDOW_MS / 1000} s`);
        return;
      }
      setTimeout(() => void this.fork().catch(() => undefined), RESTART_DELAY_MS).unref();
    });
    await this.fork();
    await Promise.all(Array.from({ length: this.options.processes - 1 }, () => this.fork()));
    this.options.log(`${this.options.processes} server processes listening`);
  }

  /** SIGTERM to every process (each drains its requests and stops), SIGKILL to those still running after the timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    for (const w of workers) w.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, this.options.stopTimeoutMs);
    await Promise.all([...this.exits.values()]);
    clearTimeout(killer);
  }

  private fork(): Promise<void> {
    const worker = cluster.fork(this.options.env);
    this.exits.set(
      worker.id,
      new Promise((done) =>
        worker.once('exit', () => {
          if (!this.stopping) this.exits.delete(worker.id);
          done();
        }),
      ),
    );
    return new Promise((listening, failed) => {
      const onExit = (code: number | null) =>
        failed(new Error(`server process exited with code ${code} before listening`));
      worker.once('exit', onExit);
      worker.once('listening', () => {
        worker.off('exit', onExit);
        listening();
      });
    });
  }
}
