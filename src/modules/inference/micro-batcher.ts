import { Feed } from './row-encoder';
import { copyInto, NumericArray, TENSOR_TYPES, NumericTensorType } from './tensor-types';

export interface OutputTensor {
  type: string;
  dims: readonly number[];
  data: ArrayLike<number | bigint | string | boolean> & {
    subarray?: (a: number, b: number) => unknown;
    slice(a: number, b: number): unknown;
  };
}

export type Outputs = Record<string, OutputTensor>;
export type RunFn = (feeds: Record<string, Feed>, rows: number) => Promise<Outputs>;

export interface BatcherOptions {
  maxBatchSize: number;
  maxDelayMs: number;
  /** Called with the rows of every merged run (for metrics). */
  onRun?: (rows: number) => void;
  /** Called with how long each request waited for its run, in ms (for metrics). */
  onWait?: (ms: number) => void;
  /** Whether the requests of a failed merged run are run again one by one (default: always). */
  retryAlone?: (err: unknown) => boolean;
}

const MAX_IN_FLIGHT = 2;

interface Pending {
  feeds: Record<string, Feed>;
  rows: number;
  enqueuedAt: number;
  resolve: (o: Outputs) => void;
  reject: (e: unknown) => void;
}

/**
 * Merges concurrent requests for one model version into one session.run of at most `maxBatchSize` rows: the
 * next batch fills while the previous run is busy (adaptive batching, as Triton and MLServer do it), so an idle
 * model adds no delay and a loaded one runs fewer, larger batches. Each caller gets exactly its own rows; when a
 * merged run fails, its requests are run one by one so that a bad request fails alone.
 *
 * Two runs may be in flight, so the model always has the next batch waiting when a run ends (the hand-back to
 * this thread and the next hand-over would otherwise leave it idle). A request that fills a batch by itself
 * has nothing to wait for and goes at once.
 *
 * A batch also goes, while a run slot is free, as soon as it holds half of `maxBatchSize` rows: under load this
 * thread reads many requests in one event-loop turn, and a batch held to the end of that turn would leave the
 * model idle while it is read, then keep this thread idle while the model runs it.
 */
export class MicroBatcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Immediate | undefined;
  private running = 0;

  constructor(
    private readonly run: RunFn,
    private readonly options: BatcherOptions,
  ) {}

  submit(feeds: Record<string, Feed>, rows: number): Promise<Outputs> {
    if (rows >= this.options.maxBatchSize) {
      this.options.onRun?.(rows);
      this.options.onWait?.(0);
      return this.run(feeds, rows);
    }
    return new Promise<Outputs>((resolve, reject) => {
      const now = performance.now();
      this.queue.push({ feeds, rows, enqueuedAt: now, resolve, reject });
      this.queuedRows += rows;
      this.schedule(now);
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * While runs are in flight, requests wait and are merged into the next run as soon as one ends. While a run
   * slot is free, a request waits for the end of the current event-loop turn (so that requests read in the same
   * turn share a run), for half a batch, or for `maxDelayMs`, whichever comes first.
   */
  private schedule(now: number): void {
    if (this.running >= MAX_IN_FLIGHT) return;
    const { maxBatchSize, maxDelayMs } = this.options;
    if (this.queuedRows * 2 >= maxBatchSize || now - this.queue[0].enqueuedAt >= maxDelayMs) {
      this.flush();
      return;
    }
    this.timer ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    if (this.running >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length > 0 && (batch.length === 0 || rows + this.queue[0].rows <= this.options.maxBatchSize)) {
      const p = this.queue.shift()!;
      batch.push(p);
      rows += p.rows;
    }
    this.queuedRows -= rows;
    this.running++;
    void this.execute(batch, rows).finally(() => {
      this.running--;
      // Whatever arrived during the run has already waited; start it now.
      if (this.queue.length > 0) this.flush();
    });
  }

  private async execute(batch: Pending[], rows: number): Promise<void> {
    const now = performance.now();
    this.options.onRun?.(rows);
    if (this.options.onWait) for (const p of batch) this.options.onWait(now - p.enqueuedAt);
    if (batch.length === 1) {
      const [p] = batch;
      await this.run(p.feeds, p.rows).then(p.resolve, p.reject);
      return;
    }
    let outputs: Outputs;
    try {
      outputs = await this.run(mergeFeeds(batch), rows);
    } catch (err) {
      if (this.options.retryAlone?.(err) === false) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) await this.run(p.feeds, p.rows).then(p.resolve, p.reject);
      return;
    }
    let offset = 0;
    for (const p of batch) {
      p.resolve(sliceOutputs(outputs, rows, offset, p.rows));
      offset += p.rows;
    }
  }
}

function mergeFeeds(batch: Pending[]): Record<string, Feed> {
  const merged: Record<string, Feed> = {};
  const total = batch.reduce((n, p) => n + p.rows, 0);
  for (const name of Object.keys(batch[0].feeds)) {
    const first = batch[0].feeds[name];
    const perRow = first.data.length / batch[0].rows;
    const type = typeOf(first.data);
    const data = TENSOR_TYPES[type].create(total * perRow);
    let offset = 0;
    for (const p of batch) {
      copyInto(data, p.feeds[name].data, offset);
      offset += p.feeds[name].data.length;
    }
    merged[name] = { data, dims: [total, ...first.dims.slice(1)] };
  }
  return merged;
}

/** The rows [start, start + count) of every output whose first dimension is the batch. */
export function sliceOutputs(outputs: Outputs, totalRows: number, start: number, count: number): Outputs {
  const out: Outputs = {};
  for (const [name, t] of Object.entries(outputs)) {
    if (t.dims[0] !== totalRows) {
      out[name] = t;
      continue;
    }
    const perRow = t.data.length / totalRows;
    const from = start * perRow;
    const to = from + count * perRow;
    const data = (t.data.subarray ? t.data.subarray(from, to) : t.data.slice(from, to)) as OutputTensor['data'];
    out[name] = { type: t.type, dims: [count, ...t.dims.slice(1)], data };
  }
  return out;
}

function typeOf(data: NumericArray): NumericTensorType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  return 'uint32';
}
