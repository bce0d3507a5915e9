import { performance } from 'node:perf_hooks';
import { trainModel } from './train';
import { TrainingJob, TrainingProgress, TrainingResult } from './types';
import { verifyOnnx } from './verify';

/** Progress goes out at most this often (and always for the first and last iteration). */
const PROGRESS_EVERY_MS = 100;

/**
 * Trains, exports and verifies one job on the calling thread: the worker's body, and usable directly where
 * blocking is fine (tests, scripts).
 */
export async function runTrainingJob(
  job: TrainingJob,
  onProgress: (p: TrainingProgress) => void = () => undefined,
): Promise<TrainingResult> {
  const started = performance.now();
  let lastSent = -Infinity;
  let pending: TrainingProgress | undefined;
  const model = trainModel(job, (iteration, loss) => {
    const now = performance.now();
    pending = { iteration, loss, elapsedMs: now - started };
    if (iteration === 1 || now - lastSent >= PROGRESS_EVERY_MS) {
      lastSent = now;
      onProgress(pending);
      pending = undefined;
    }
  });
  if (pending) onProgress(pending);
  const trainMs = performance.now() - started;
  const verifyStarted = performance.now();
  const verification = await verifyOnnx(model.onnx, job.data, model.validationRows, model.validation);
  return {
    family: job.family,
    onnx: model.onnx,
    hyperparameters: job.hyperparameters,
    seed: job.seed,
    rows: model.rows,
    features: job.data.features,
    ...(model.classes ? { classes: model.classes } : {}),
    iterations: model.iterations,
    converged: model.converged,
    metrics: model.metrics,
    verification,
    durationMs: performance.now() - started,
    timingsMs: {
      prepare: model.prepareMs,
      fit: model.fitMs,
      finish: trainMs - model.prepareMs - model.fitMs,
      train: trainMs,
      verify: performance.now() - verifyStarted,
    },
  };
}
