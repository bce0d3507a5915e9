import { Worker } from 'node:worker_threads';
import { Outputs } from './micro-batcher';
import { Feed } from './row-encoder';

/**
 * onnxruntime-node runs a session synchronously on the thread that calls it, so inference on the main thread
 * would stall HTTP and make timeouts impossible. Sessions live in worker threads instead: the main thread
 * parses, validates and batches; a worker runs. A version always goes to the same worker (by key), so a model
 * is loaded once. A worker stuck in a run past its timeout is retired: new work goes to a fresh worker, and
 * the old one ends once its native run returns (terminating a thread inside onnxruntime aborts the process).
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, int8: Int8Array,
  uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, uint32: Uint32Array };
async function session(key, path) {
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(path, { intraOpNumThreads: workerData.threads, interOpNumThreads: 1,
      graphOptimizationLevel: 'all', logSeverityLevel: 4 });
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'load') { await session(m.key, m.path); parentPort.postMessage({ id: m.id, ok: true }); return; }
    if (m.op === 'retire') {
      // Finish what was started (a native run cannot be interrupted), release everything, then end the thread.
      for (const s of sessions.values()) await (await s.catch(() => null))?.release();
      sessions.clear();
      parentPort.close();
      return;
    }
    if (m.op === 'release') {
      const s = sessions.get(m.key); sessions.delete(m.key);
      if (s) await (await s).release();
      parentPort.postMessage({ id: m.id, ok: true }); return;
    }
    const s = await session(m.key, m.path);
    const feeds = {};
    for (const [name, f] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(f.type, new TYPED[f.type](f.buffer), f.dims);
    const result = await s.run(feeds);
    const outputs = {}; const transfer = [];
    for (const [name, t] of Object.entries(result)) {
      // Hand back the output's own buffer when it is exactly this tensor (no copy); otherwise a copy of it.
      const whole = ArrayBuffer.isView(t.data) && t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength;
      const data = ArrayBuffer.isView(t.data) ? (whole ? t.data : t.data.slice()) : Array.from(t.data);
      outputs[name] = { type: t.type, dims: t.dims, data };
      if (ArrayBuffer.isView(data)) transfer.push(data.buffer);
    }
    parentPort.postMessage({ id: m.id, ok: true, outputs }, transfer);
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: e && e.message ? e.message : String(e) });
  }
});
`;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class WorkerRestartedError extends Error {
  override name = 'WorkerRestartedError';
}

export class InferencePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly threads: number,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { ortPath: require.resolve('onnxruntime-node'), threads: this.threads },
    });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (m: { id: number; ok: boolean; error?: string; outputs?: unknown }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (m.ok) p.resolve(m.outputs);
      else p.reject(new Error(m.error));
    });
    const fail = (err: Error): void => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new WorkerRestartedError('the inference worker stopped')));
    worker.unref();
    return slot;
  }

  private slotOf(key: string): number {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    return Math.abs(h) % this.size;
  }

  private call<T>(key: string, message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new WorkerRestartedError('the inference pool is closed'));
    const slot = this.slots[this.slotOf(key)];
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ ...message, id, key }, transfer);
    });
  }

  load(key: string, path: string): Promise<void> {
    return this.call(key, { op: 'load', path });
  }

  release(key: string): Promise<void> {
    return this.call(key, { op: 'release' });
  }

  async run(key: string, path: string, feeds: Record<string, Feed & { type: string }>): Promise<Outputs> {
    const message: Record<string, { type: string; buffer: ArrayBuffer; dims: number[] }> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, f] of Object.entries(feeds)) {
      // Feeds are built for one run and not read after it, so a buffer that is exactly this tensor is handed
      // over as it is (it is detached here); a view into a larger buffer is copied first.
      const whole = f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength;
      const buffer = (
        whole ? f.data.buffer : f.data.buffer.slice(f.data.byteOffset, f.data.byteOffset + f.data.byteLength)
      ) as ArrayBuffer;
      message[name] = { type: f.type, buffer, dims: f.dims };
      transfer.push(buffer);
    }
    return this.call<Outputs>(key, { op: 'run', path, feeds: message }, transfer);
  }

  /**
   * Moves the work of the worker that serves `key` (stuck in a run past its timeout) to a fresh worker. Calls
   * already sent to the old one still complete there; sessions load again in the new one on their next run.
   */
  restart(key: string): void {
    const i = this.slotOf(key);
    const old = this.slots[i];
    this.slots[i] = this.spawn();
    old.worker.postMessage({ op: 'retire' });
  }

  /** Retires every worker and waits (at most `waitMs`) for them to end; they never block the process exit. */
  async close(waitMs = 5000): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            s.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            s.worker.postMessage({ op: 'retire' });
          }),
      ),
    );
  }
}
