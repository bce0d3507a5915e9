import { parentPort, workerData } from 'node:worker_threads';
import { runTrainingJob } from './run-job';
import { TrainingJob } from './types';
import { VerificationError } from './verify';

/** The worker thread's body: one job in workerData, progress and the result (ONNX bytes transferred) as messages. */
const port = parentPort!;
const job = (workerData as { job: TrainingJob }).job;

runTrainingJob(job, (progress) => port.postMessage({ type: 'progress', progress }))
  .then((result) => port.postMessage({ type: 'done', result }, [result.onnx.buffer as ArrayBuffer]))
  .catch((e: unknown) =>
    port.postMessage({
      type: 'failed',
      message: e instanceof Error ? e.message : String(e),
      figures: e instanceof VerificationError ? e.figures : undefined,
    }),
  );
