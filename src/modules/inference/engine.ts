import { InferencePool } from './inference-pool';
import { InferenceError } from './inference.errors';
import { InlineSession, shapeBounded } from './inline-session';
import { MicroBatcher, Outputs } from './micro-batcher';
import { Feed, RowEncoder } from './row-encoder';
import { ServableVersion, versionKey } from './servable';

export interface EngineOptions {
  pool: InferencePool;
  batching: boolean;
  maxBatchSize: number;
  maxDelayMs: number;
  /** Every session.run: its rows and how long it took. */
  onRun: (rows: number, seconds: number) => void;
  /** Every merged run's rows, and each request's wait for it (only when batching). */
  onBatch: (rows: number) => void;
  onWait: (ms: number) => void;
  /**
   * Runs where model size x rows is at most this many bytes go on the main thread (0: never), for models whose
   * operators are all shape-bounded: the hand-off to a worker costs more than such a run.
   */
  inlineLimitBytes: number;
  onInline: () => void;
  /**
   * A version whose main-thread runs take longer than this INLINE_STRIKES times in a row goes back to its worker
   * for good (its graph surprised us). In a row, because a run's time can also hold a GC pause or the OS's
   * preemption: on a busy 2-core VM a 20 µs run was once measured at 7 ms.
   */
  inlineDemoteMs: number;
  onInlineDemoted: (ms: number) => void;
  /**
   * A worker run past this many ms fails with INFERENCE_TIMEOUT and its worker is retired (later runs go to a
   * fresh one). One timer per run: the requests of a merged run share it.
   */
  timeoutMs: number;
}

/** Main-thread runs also stop at this many rows: a graph can grow a batch x batch tensor by broadcasting. */
const MAX_INLINE_ROWS = 1024;
const INLINE_STRIKES = 3;

/**
 * One loaded model version: its session (in a worker thread, plus one on the main thread for small runs of
 * small shape-bounded models), its row encoder and its micro-batcher.
 */
export class Engine {
  readonly encoder: RowEncoder;
  private inline: InlineSession | null = null;
  private slowInlineRuns = 0;
  private readonly batcher: MicroBatcher | null;
  private readonly key: string;
  private readonly types: Map<string, string>;

  private constructor(
    readonly version: ServableVersion,
    private readonly options: EngineOptions,
  ) {
    this.key = versionKey(version);
    this.types = new Map(version.inputs.map((i) => [i.name, i.type]));
    this.encoder = new RowEncoder(version.inputs, version.features);
    this.batcher =
      options.batching && this.encoder.batchable
        ? new MicroBatcher((feeds, rows) => this.runNow(feeds, rows), {
            maxBatchSize: options.maxBatchSize,
            maxDelayMs: options.maxDelayMs,
            onRun: options.onBatch,
            onWait: options.onWait,
            // A run that timed out would time out again, one request at a time: the whole batch fails at once.
            retryAlone: (err) => !isTimeout(err),
          })
        : null;
  }

  static async load(version: ServableVersion, options: EngineOptions): Promise<Engine> {
    const engine = new Engine(version, options);
    await options.pool.load(engine.key, version.artifactPath);
    if (engine.inlineCapable) engine.inline = await InlineSession.open(version.artifactPath);
    return engine;
  }

  /**
   * Whether small runs of this version may be made on the main thread (it then holds a second session): a small
   * model of shape-bounded operators. Its rows have a fixed size (the row encoder serves no other input), so
   * rows bound a run's work.
   */
  get inlineCapable(): boolean {
    const size = Math.max(this.version.sizeBytes, 1);
    return size <= this.options.inlineLimitBytes && shapeBounded(this.version.operators);
  }

  get batching(): boolean {
    return this.batcher !== null;
  }

  /** Runs the rows, merged with other requests' rows when batching is on. */
  run(feeds: Record<string, Feed>, rows: number): Promise<Outputs> {
    if (this.batcher) return this.batcher.submit(feeds, rows);
    const fixed = this.encoder.fixedRows;
    if (fixed !== null && rows > fixed) return this.runInChunks(feeds, rows, fixed);
    return this.runNow(feeds, rows);
  }

  /** Runs the feeds as they are (the protocol's own tensors), without batching. */
  runDirect(feeds: Record<string, Feed>, rows: number): Promise<Outputs> {
    return this.runNow(feeds, rows);
  }

  private async runNow(feeds: Record<string, Feed>, rows: number): Promise<Outputs> {
    const typed: Record<string, Feed & { type: string }> = {};
    for (const [name, f] of Object.entries(feeds)) typed[name] = { ...f, type: this.types.get(name)! };
    const inline = this.inline;
    const small =
      inline !== null &&
      rows <= MAX_INLINE_ROWS &&
      rows * Math.max(this.version.sizeBytes, 1) <= this.options.inlineLimitBytes;
    if (!small) {
      const started = performance.now();
      const outputs = await this.withTimeout(this.options.pool.run(this.key, this.version.artifactPath, typed));
      this.options.onRun(rows, (performance.now() - started) / 1000);
      return outputs;
    }
    this.options.onInline();
    const { outputs, ms } = await inline.run(typed);
    this.options.onRun(rows, ms / 1000);
    if (ms <= this.options.inlineDemoteMs) this.slowInlineRuns = 0;
    else if (++this.slowInlineRuns >= INLINE_STRIKES && this.inline) {
      this.inline = null;
      void inline.release();
      this.options.onInlineDemoted(ms);
    }
    return outputs;
  }

  private withTimeout(run: Promise<Outputs>): Promise<Outputs> {
    const ms = this.options.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new InferenceError('INFERENCE_TIMEOUT', `Inference took longer than ${ms} ms.`));
        // A native run cannot be interrupted: its worker is left to finish it, and later runs go to a fresh one.
        this.options.pool.restart(this.key);
      }, ms);
    });
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  }

  /** A model with a fixed first dimension takes that many rows per run. */
  private async runInChunks(feeds: Record<string, Feed>, rows: number, chunk: number): Promise<Outputs> {
    const parts: Outputs[] = [];
    for (let start = 0; start < rows; start += chunk) {
      const part: Record<string, Feed> = {};
      for (const [name, f] of Object.entries(feeds)) {
        const perRow = f.data.length / rows;
        part[name] = {
          data: f.data.slice(start * perRow, (start + chunk) * perRow),
          dims: [chunk, ...f.dims.slice(1)],
        };
      }
      parts.push(await this.runNow(part, chunk));
    }
    const merged: Outputs = {};
    for (const name of Object.keys(parts[0])) {
      const values = parts.flatMap((p) => Array.from(p[name].data as ArrayLike<number>));
      merged[name] = { type: parts[0][name].type, dims: [rows, ...parts[0][name].dims.slice(1)], data: values };
    }
    return merged;
  }

  async release(): Promise<void> {
    await this.inline?.release();
    await this.options.pool.release(this.key);
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof InferenceError && err.code === 'INFERENCE_TIMEOUT';
}
