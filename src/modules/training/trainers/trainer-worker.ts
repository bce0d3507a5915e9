import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { runTrainingJob } from './run-job';
import { TrainingJob } from './types';
import { VerificationError } from './verify';
import { warmUpTrainers } from './warm-up';

/**
 * The worker thread's body: jobs arrive one at a time as messages (the runner keeps the thread warm between them,
 * onnxruntime already loaded); progress and the result (ONNX bytes transferred) go back as messages. Times are
 * absolute (timeOrigin + now) because each thread's performance.now() has its own origin.
 */
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();

port.on('message', (m: { type: 'job'; job: TrainingJob }) => {
  port.postMessage({ type: 'started' });
  runTrainingJob(m.job, (progress) => port.postMessage({ type: 'progress', progress }))
    .then((result) => port.postMessage({ type: 'done', result, sentAt: now() }, [result.onnx.buffer as ArrayBuffer]))
    .catch((e: unknown) =>
      port.postMessage({
        type: 'failed',
        message: e instanceof Error ? e.message : String(e),
        figures: e instanceof VerificationError ? e.figures : undefined,
      }),
    );
});
warmUpTrainers();
port.postMessage({ type: 'ready' });
