import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TrainingJob, TrainingProgress, TrainingResult, Verification } from './types';
import { VerificationError } from './verify';

export class TrainingCancelledError extends Error {
  override name = 'TrainingCancelledError';
}

export class TrainingFailedError extends Error {
  override name = 'TrainingFailedError';
}

export interface TrainingHandle {
  /** Resolves with the verified model; rejects with TrainingCancelledError, VerificationError or TrainingFailedError. */
  result: Promise<TrainingResult>;
  /** Stops the worker (terminate: effective within milliseconds, even mid-iteration). */
  cancel(): Promise<void>;
}

/**
 * From dist/ the compiled trainer-worker.js sits next to this file. Run from TypeScript sources (jest), there is
 * only trainer-worker.ts, which a worker cannot load by itself: a small bootstrap compiles .ts files on require
 * with @swc/core (a devDependency, present wherever sources are run; production never takes this path).
 */
const TS_BOOTSTRAP = `
const { readFileSync } = require('node:fs');
const swc = require(require('node:worker_threads').workerData.swcPath);
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(require('node:worker_threads').workerData.entry);
`;

function spawnWorker(): Worker {
  const compiled = join(__dirname, 'trainer-worker.js');
  if (existsSync(compiled)) return new Worker(compiled);
  return new Worker(TS_BOOTSTRAP, {
    eval: true,
    workerData: { entry: join(__dirname, 'trainer-worker.ts'), swcPath: require.resolve('@swc/core') },
  });
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'started' }
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; result: TrainingResult; sentAt: number }
  | { type: 'failed'; message: string; figures?: Verification };

/**
 * One warm worker per process, idle between jobs: a new thread costs its start and loading onnxruntime (hundreds of
 * ms on a loaded machine) on every run otherwise. It is unref'd while idle so it never keeps the process alive.
 * A cancelled or crashed worker is terminated, never returned here; the next job starts a fresh one.
 */
let idle: { worker: Worker; forget: () => void } | undefined;

// Our own listeners are removed one by one: Worker.removeAllListeners() would also drop Node's internal
// 'newListener' hook that starts the message port, and the next job's messages would never arrive.
function takeWorker(): Worker {
  if (!idle) return spawnWorker();
  const { worker, forget } = idle;
  idle = undefined;
  worker.off('exit', forget).off('error', forget);
  worker.ref();
  return worker;
}

function keepWarm(worker: Worker): void {
  if (idle) {
    void worker.terminate();
    return;
  }
  const forget = () => {
    if (idle?.worker === worker) idle = undefined;
  };
  idle = { worker, forget };
  worker.unref();
  worker.once('exit', forget).once('error', forget);
}

/** Starts the warm worker ahead of the first job; resolves once its modules (onnxruntime included) are loaded. */
export function prewarmTrainer(): Promise<void> {
  if (idle) return Promise.resolve();
  const worker = spawnWorker();
  return new Promise((resolve, reject) => {
    const ready = () => {
      worker.off('error', failed);
      keepWarm(worker);
      resolve();
    };
    const failed = (e: Error) => {
      worker.off('message', ready);
      reject(e);
    };
    worker.once('message', ready).once('error', failed);
  });
}

/** Stops the idle warm worker, if any (shutdown, tests). */
export async function stopIdleTrainer(): Promise<void> {
  const worker = idle?.worker;
  idle = undefined;
  if (worker) await worker.terminate();
}

const clock = () => performance.timeOrigin + performance.now();

/**
 * Trains a validated job (see buildTrainingJob) in a worker thread, so the event loop keeps serving HTTP. Rows in a
 * SharedArrayBuffer (allocateTrainingData) reach the worker without a copy; the ONNX bytes come back transferred.
 */
export function startTraining(
  job: TrainingJob,
  options: { onProgress?: (p: TrainingProgress) => void } = {},
): TrainingHandle {
  const requested = performance.now();
  const worker = takeWorker();
  let cancelled = false;
  let settled = false;
  let start: number | undefined;
  const result = new Promise<TrainingResult>((resolve, reject) => {
    const settle = (f: () => void, reusable: boolean) => {
      if (settled) return;
      settled = true;
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      f();
      if (reusable && !cancelled) keepWarm(worker);
      else void worker.terminate();
    };
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'started') start = performance.now() - requested;
      else if (m.type === 'progress') options.onProgress?.(m.progress);
      else if (m.type === 'done') {
        const timingsMs = { ...m.result.timingsMs, start, deliver: clock() - m.sentAt };
        settle(() => resolve({ ...m.result, timingsMs }), true);
      } else if (m.type === 'failed')
        settle(
          () => reject(m.figures ? new VerificationError(m.message, m.figures) : new TrainingFailedError(m.message)),
          true,
        );
    };
    const onError = (e: Error) =>
      settle(() => reject(new TrainingFailedError(`the trainer crashed: ${e.message}`)), false);
    const onExit = (code: number) =>
      settle(
        () =>
          reject(
            cancelled
              ? new TrainingCancelledError('the training run was cancelled')
              : new TrainingFailedError(`the trainer stopped with exit code ${code}`),
          ),
        false,
      );
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  worker.postMessage({ type: 'job', job });
  return {
    result,
    async cancel() {
      cancelled = true;
      await worker.terminate();
    },
  };
}
