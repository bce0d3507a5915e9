import { existsSync } from 'node:fs';
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

function spawnWorker(job: TrainingJob): Worker {
  const compiled = join(__dirname, 'trainer-worker.js');
  if (existsSync(compiled)) return new Worker(compiled, { workerData: { job } });
  return new Worker(TS_BOOTSTRAP, {
    eval: true,
    workerData: { job, entry: join(__dirname, 'trainer-worker.ts'), swcPath: require.resolve('@swc/core') },
  });
}

type WorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; result: TrainingResult }
  | { type: 'failed'; message: string; figures?: Verification };

/**
 * Trains a validated job (see buildTrainingJob) in a worker thread, so the event loop keeps serving HTTP. The
 * job's rows are copied to the worker; the ONNX bytes come back transferred.
 */
export function startTraining(
  job: TrainingJob,
  options: { onProgress?: (p: TrainingProgress) => void } = {},
): TrainingHandle {
  const worker = spawnWorker(job);
  let cancelled = false;
  let settled = false;
  const result = new Promise<TrainingResult>((resolve, reject) => {
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') options.onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else
        settle(() =>
          reject(m.figures ? new VerificationError(m.message, m.figures) : new TrainingFailedError(m.message)),
        );
    });
    worker.on('error', (e) => settle(() => reject(new TrainingFailedError(`the trainer crashed: ${e.message}`))));
    worker.on('exit', (code) =>
      settle(() =>
        reject(
          cancelled
            ? new TrainingCancelledError('the training run was cancelled')
            : new TrainingFailedError(`the trainer stopped with exit code ${code}`),
        ),
      ),
    );
  });
  return {
    result,
    async cancel() {
      cancelled = true;
      await worker.terminate();
    },
  };
}
