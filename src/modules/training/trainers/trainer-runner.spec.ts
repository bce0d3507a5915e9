import * as ort from 'onnxruntime-node';
import { syntheticTrainingData } from '../../../../test/factories/training-data.factory';
import { buildTrainingJob } from './hyperparameters';
import { runTrainingJob } from './run-job';
import {
  prewarmTrainer,
  startTraining,
  stopIdleTrainer,
  TrainingCancelledError,
  TrainingFailedError,
} from './trainer-runner';
import { TrainingProgress } from './types';
import { verifyOnnx, VerificationError } from './verify';

const binary = syntheticTrainingData({ rows: 2000, features: 6, classes: 2, seed: 11, offset: 1e4 });
const threeClasses = syntheticTrainingData({ rows: 3000, features: 5, classes: 3, seed: 12 });
const regression = syntheticTrainingData({ rows: 2000, features: 4, classes: 0, seed: 13, offset: 100 });

describe('trainers (run and verify)', () => {
  it('should agree with onnxruntime within 1e-5 when a binary model is trained on offset features', async () => {
    const result = await runTrainingJob(buildTrainingJob('logistic_regression', {}, 5, binary));
    expect(result.verification.rows).toBe(400);
    expect(result.verification.maxDifference).toBeLessThanOrEqual(1e-5);
    expect(result.verification.labelMismatches).toBe(0);
    expect(result.classes).toEqual([0, 1]);
    expect(result.converged).toBe(true);
    expect(result.metrics.validation.accuracy).toBeGreaterThan(0.7);
  });

  it('should agree with onnxruntime when the labels are three classes not numbered from 0', async () => {
    const shifted = { ...threeClasses, y: threeClasses.y.map((v) => v * 10 + 1) };
    const result = await runTrainingJob(buildTrainingJob('logistic_regression', { l2: 1e-3 }, 1, shifted));
    expect(result.classes).toEqual([1, 11, 21]);
    expect(result.verification.labelMismatches).toBe(0);
    expect(result.verification.maxDifference).toBeLessThanOrEqual(1e-5);
    expect(result.metrics.validation.accuracy).toBeGreaterThan(0.6);
  });

  it('should agree with onnxruntime within a relative 1e-5 when a ridge model is trained', async () => {
    const result = await runTrainingJob(buildTrainingJob('linear_regression', { l2: 0 }, 2, regression));
    expect(result.verification.maxDifference).toBeLessThanOrEqual(1e-5);
    expect(result.metrics.validation.r2).toBeGreaterThan(0.2);
  });

  it('should agree with onnxruntime within 1e-5 when a small MLP is trained', async () => {
    const hp = { hiddenUnits: 16, epochs: 5, batchSize: 32, learningRate: 0.01 };
    const result = await runTrainingJob(buildTrainingJob('mlp_classifier', hp, 3, threeClasses));
    expect(result.verification.maxDifference).toBeLessThanOrEqual(1e-5);
    expect(result.verification.labelMismatches).toBe(0);
    expect(result.metrics.validation.accuracy).toBeGreaterThan(0.6);
    const again = await startTraining(buildTrainingJob('mlp_classifier', hp, 3, threeClasses)).result;
    expect(Buffer.from(again.onnx).equals(Buffer.from(result.onnx))).toBe(true);
  });

  it('should expose the signature the registry and inference take when a model is exported', async () => {
    // As registry/onnx-inspector reads it: one 2-D float input [N, features] (featureMismatch accepts it for the
    // parent's feature list); inference/output-format maps `label` + `probabilities`, or one [N, 1] output, to rows.
    const signature = async (onnx: Uint8Array) => {
      const session = await ort.InferenceSession.create(onnx);
      const spec = (v: ort.InferenceSession.ValueMetadata) =>
        v.isTensor ? { name: v.name, type: v.type, shape: v.shape } : { name: v.name };
      const out = { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
      await session.release();
      return out;
    };
    const classifier = await runTrainingJob(buildTrainingJob('logistic_regression', {}, 5, threeClasses));
    expect(await signature(classifier.onnx)).toEqual({
      inputs: [{ name: 'input', type: 'float32', shape: ['N', 5] }],
      outputs: [
        { name: 'label', type: 'int64', shape: ['N'] },
        { name: 'probabilities', type: 'float32', shape: ['N', 3] },
      ],
    });
    const regressor = await runTrainingJob(buildTrainingJob('linear_regression', {}, 5, regression));
    expect((await signature(regressor.onnx)).outputs).toEqual([{ name: 'value', type: 'float32', shape: ['N', 1] }]);
  });

  it('should throw the figures when the exported model disagrees with the trainer', async () => {
    const job = buildTrainingJob('logistic_regression', {}, 5, binary);
    const result = await runTrainingJob(job);
    const rows = Uint32Array.of(0, 1, 2);
    const wrong = { rows: 3, probabilities: new Float64Array(6).fill(0.5), labels: Float64Array.of(0, 0, 0) };
    const error = await verifyOnnx(result.onnx, binary, rows, wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).figures.maxDifference).toBeGreaterThan(1e-5);
    expect((error as VerificationError).message).toMatch(/max abs difference/);
  });
});

describe('trainers (worker thread)', () => {
  afterAll(() => stopIdleTrainer());

  it('should give byte-identical ONNX when a warm worker trains the same job again', async () => {
    await prewarmTrainer();
    const job = buildTrainingJob('logistic_regression', { l2: 1e-3 }, 7, binary);
    const first = await startTraining(job).result;
    const second = await startTraining(job).result;
    expect(Buffer.from(first.onnx).equals(Buffer.from(second.onnx))).toBe(true);
    expect(second.timingsMs.start).toEqual(expect.any(Number));
    expect(second.timingsMs.train).toBeGreaterThanOrEqual(second.timingsMs.fit);
  });

  it('should give byte-identical ONNX when two workers train the same job with the same seed', async () => {
    const job = buildTrainingJob('logistic_regression', { l2: 1e-3 }, 42, threeClasses);
    const progress: TrainingProgress[] = [];
    const [a, b] = await Promise.all([
      startTraining(job, { onProgress: (p) => progress.push(p) }).result,
      startTraining(job).result,
    ]);
    const inProcess = await runTrainingJob(job);
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    expect(Buffer.from(a.onnx).equals(Buffer.from(inProcess.onnx))).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1].iteration).toBe(a.iterations);
    expect(a.metrics).toEqual(inProcess.metrics);
  });

  it('should give different ONNX when the seed differs', async () => {
    const [a, b] = await Promise.all([
      startTraining(buildTrainingJob('linear_regression', {}, 1, regression)).result,
      startTraining(buildTrainingJob('linear_regression', {}, 2, regression)).result,
    ]);
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(false);
  });

  it('should reject with TrainingFailedError and the reason when training fails in the worker', async () => {
    const x = new Float32Array(40);
    for (let r = 0; r < 20; r++) x[r * 2] = x[r * 2 + 1] = r; // two identical columns
    const data = { x, rows: 20, features: 2, y: Float64Array.from({ length: 20 }, (_, r) => r) };
    const handle = startTraining(buildTrainingJob('linear_regression', { l2: 0 }, 1, data));
    const error = await handle.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingFailedError);
    expect((error as Error).message).toMatch(/collinear/);
  });

  it('should reject with TrainingCancelledError when the run is cancelled mid-training', async () => {
    const big = syntheticTrainingData({ rows: 20_000, features: 20, classes: 8, seed: 3 });
    const job = buildTrainingJob('logistic_regression', { l2: 0, maxIterations: 10_000 }, 1, big);
    let cancelled: Promise<void> | undefined;
    const handle = startTraining(job, {
      onProgress: () => {
        cancelled ??= handle.cancel();
      },
    });
    await expect(handle.result).rejects.toBeInstanceOf(TrainingCancelledError);
    await cancelled;
  });

  it('should train in a fresh worker when the previous run was cancelled', async () => {
    const big = syntheticTrainingData({ rows: 20_000, features: 20, classes: 8, seed: 3 });
    const handle = startTraining(buildTrainingJob('logistic_regression', { l2: 0, maxIterations: 10_000 }, 1, big));
    await handle.cancel();
    await expect(handle.result).rejects.toBeInstanceOf(TrainingCancelledError);
    const next = await startTraining(buildTrainingJob('linear_regression', {}, 1, regression)).result;
    expect(next.verification.labelMismatches).toBe(0);
  });
});
