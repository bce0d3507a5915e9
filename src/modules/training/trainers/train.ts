import { performance } from 'node:perf_hooks';
import {
  classesOf,
  fitStandardiser,
  pick,
  roundToFloat32,
  splitRows,
  standardise,
  standardiserFromSums,
} from './dataset';
import { lbfgs } from './lbfgs';
import { linearClassifierMetrics, predictLinearClassifier, transpose } from './logistic';
import { logisticObjective } from './linear-kernel';
import { classificationMetrics, regressionMetrics } from './metrics';
import { mlpHidden, MlpWeights, trainMlp } from './mlp';
import { linearClassifierOnnx, linearRegressorOnnx, mlpClassifierOnnx } from './onnx-export';
import { predictRows, rowSums, solveRidgeFromSums } from './ridge';
import {
  LogisticHyperparameters,
  MlpHyperparameters,
  OwnPredictions,
  RidgeHyperparameters,
  TrainingData,
  TrainingJob,
} from './types';

/** A trained model before verification: its ONNX bytes and the trainer's own predictions on the validation rows. */
export interface TrainedModel {
  onnx: Uint8Array;
  validationRows: Uint32Array;
  validation: OwnPredictions;
  rows: { training: number; validation: number };
  classes?: number[];
  iterations: number;
  converged: boolean;
  /** Split, standardise, label indices: before the optimiser starts (ridge: the split only, see trainRidge). */
  prepareMs: number;
  /** The optimiser or solver alone, without preparing rows, metrics and export. */
  fitMs: number;
  metrics: { training: Record<string, number>; validation: Record<string, number> };
}

export type ProgressSink = (iteration: number, loss: number) => void;

/** Trains the job's model on the calling thread (the runner calls it inside a worker). Input is assumed validated. */
export function trainModel(job: TrainingJob, onProgress: ProgressSink = () => undefined): TrainedModel {
  switch (job.family) {
    case 'logistic_regression':
      return trainLogistic(job.data, job.hyperparameters, job.seed, onProgress);
    case 'linear_regression':
      return trainRidge(job.data, job.hyperparameters, job.seed, onProgress);
    case 'mlp_classifier':
      return trainMlpClassifier(job.data, job.hyperparameters, job.seed, onProgress);
  }
}

function classIndices(y: Float64Array, rows: Uint32Array, classes: number[]): Uint32Array {
  const out = new Uint32Array(rows.length);
  if (classes.every((c, i) => c === i)) {
    // Labels 0..K-1 are their own indices: no Map lookup per row.
    for (let i = 0; i < rows.length; i++) out[i] = y[rows[i]];
    return out;
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  for (let i = 0; i < rows.length; i++) out[i] = index.get(y[rows[i]])!;
  return out;
}

/**
 * scikit-learn 1.2's lbfgs (scipy L-BFGS-B, tol 1e-4, ftol = factr 1e7 · eps) on its objective, which is n times
 * ours (a sum of losses, not a mean): its gradient test max|g| ≤ 1e-4 is 1e-4/n on ours, and its relative
 * objective-change test is scale-free once the floor 1 becomes 1/n. Same rule, same stopping point, so the same
 * validation accuracy without the extra iterations a tighter tolerance spends moving weights by ~1e-6.
 */
export function sklearnStoppingRule(n: number) {
  return { gradientTolerance: 1e-4 / n, relativeTolerance: 2.220446049250313e-9, relativeFloor: 1 / n };
}

function trainLogistic(
  data: TrainingData,
  hp: LogisticHyperparameters,
  seed: number,
  onProgress: ProgressSink,
): TrainedModel {
  const started = performance.now();
  const d = data.features;
  const split = splitRows(data.rows, hp.validationFraction, seed);
  const scaler = fitStandardiser(data, split.training);
  const xs = standardise(data, split.training, scaler);
  const classes = classesOf(data.y);
  const k = classes.length;
  const y = classIndices(data.y, split.training, classes);
  const options = {
    maxIterations: hp.maxIterations,
    ...sklearnStoppingRule(y.length),
    memory: 10,
    onIteration: onProgress,
  };

  let weights: Float64Array;
  let bias: Float64Array;
  let fit;
  const fitStarted = performance.now();
  if (k === 2) {
    fit = lbfgs(logisticObjective(xs, y, d, k, hp.l2), new Float64Array(d + 1), options);
    // One logit exported as two columns, W = [0 | w], b = [0, b], so Softmax gives [1 − p, p].
    weights = new Float64Array(d * 2);
    for (let j = 0; j < d; j++) weights[j * 2 + 1] = fit.theta[j];
    bias = Float64Array.of(0, fit.theta[d]);
  } else {
    fit = lbfgs(logisticObjective(xs, y, d, k, hp.l2), new Float64Array((d + 1) * k), options);
    weights = transpose(fit.theta.slice(0, d * k), k, d);
    bias = fit.theta.slice(d * k);
  }
  const fitMs = performance.now() - fitStarted;
  weights = roundToFloat32(weights);
  bias = roundToFloat32(bias);

  const trainMetrics = linearClassifierMetrics(xs, d, weights, bias, y);
  const xv = standardise(data, split.validation, scaler);
  const valid = predictLinearClassifier(xv, d, weights, bias);
  const yv = classIndices(data.y, split.validation, classes);
  return {
    onnx: linearClassifierOnnx(scaler, weights, bias, classes),
    validationRows: split.validation,
    validation: {
      rows: split.validation.length,
      probabilities: valid.probabilities,
      labels: Float64Array.from(valid.indices, (i) => classes[i]),
    },
    rows: { training: split.training.length, validation: split.validation.length },
    classes,
    iterations: fit.iterations,
    converged: fit.converged,
    prepareMs: fitStarted - started,
    fitMs,
    metrics: {
      training: trainMetrics,
      validation: classificationMetrics(valid.probabilities, valid.indices, yv),
    },
  };
}

function trainRidge(
  data: TrainingData,
  hp: RidgeHyperparameters,
  seed: number,
  onProgress: ProgressSink,
): TrainedModel {
  const started = performance.now();
  const d = data.features;
  const split = splitRows(data.rows, hp.validationFraction, seed);
  // One pass over the raw training rows gives the standardiser and the whole system: no standardised copy. Timed
  // as the fit: it is mostly the Gram matrix (d(d+1)/2 products a row against d for the standardiser).
  const fitStarted = performance.now();
  const sums = rowSums(data.x, data.y, split.training, d);
  const scaler = standardiserFromSums(sums.shift, sums.sum, sums.squares, sums.n);
  const solved = solveRidgeFromSums(sums, scaler.mean, scaler.std, hp.l2);
  const weights = roundToFloat32(solved.weights);
  const fitMs = performance.now() - fitStarted;
  // ȳ − mean(Xs)·w: the float32-rounded standardiser leaves the columns' means a hair off zero.
  let intercept = solved.yMean;
  for (let j = 0; j < d; j++) intercept -= solved.columnMeans[j] * weights[j];
  intercept = Math.fround(intercept);

  const predict = (rows: Uint32Array) => predictRows(data.x, rows, d, scaler.mean, scaler.std, weights, intercept);
  const trainMetrics = regressionMetrics(predict(split.training), pick(data.y, split.training));
  onProgress(1, trainMetrics.rmse * trainMetrics.rmse);
  const valid = predict(split.validation);
  return {
    onnx: linearRegressorOnnx(scaler, weights, intercept),
    validationRows: split.validation,
    validation: { rows: split.validation.length, values: valid },
    rows: { training: split.training.length, validation: split.validation.length },
    iterations: 1,
    converged: true,
    prepareMs: fitStarted - started,
    fitMs,
    metrics: { training: trainMetrics, validation: regressionMetrics(valid, pick(data.y, split.validation)) },
  };
}

function trainMlpClassifier(
  data: TrainingData,
  hp: MlpHyperparameters,
  seed: number,
  onProgress: ProgressSink,
): TrainedModel {
  const started = performance.now();
  const d = data.features;
  const split = splitRows(data.rows, hp.validationFraction, seed);
  const scaler = fitStandardiser(data, split.training);
  const xs = standardise(data, split.training, scaler);
  const classes = classesOf(data.y);
  const y = classIndices(data.y, split.training, classes);
  const fitStarted = performance.now();
  const raw = trainMlp(xs, y, d, {
    hidden: hp.hiddenUnits,
    classes: classes.length,
    epochs: hp.epochs,
    learningRate: hp.learningRate,
    batchSize: hp.batchSize,
    l2: hp.l2,
    seed,
    onEpoch: onProgress,
  });
  const fitMs = performance.now() - fitStarted;
  const w: MlpWeights = {
    w1: roundToFloat32(raw.w1),
    b1: roundToFloat32(raw.b1),
    w2: roundToFloat32(raw.w2),
    b2: roundToFloat32(raw.b2),
  };
  // The hidden layer is float32 in onnxruntime: round it too, so the head sees the same inputs.
  const predict = (rows: Float64Array) =>
    predictLinearClassifier(roundToFloat32(mlpHidden(rows, d, w)), hp.hiddenUnits, w.w2, w.b2);
  const train = predict(xs);
  const valid = predict(standardise(data, split.validation, scaler));
  const yv = classIndices(data.y, split.validation, classes);
  return {
    onnx: mlpClassifierOnnx(scaler, w, classes),
    validationRows: split.validation,
    validation: {
      rows: split.validation.length,
      probabilities: valid.probabilities,
      labels: Float64Array.from(valid.indices, (i) => classes[i]),
    },
    rows: { training: split.training.length, validation: split.validation.length },
    classes,
    iterations: hp.epochs,
    converged: true,
    prepareMs: fitStarted - started,
    fitMs,
    metrics: {
      training: classificationMetrics(train.probabilities, train.indices, y),
      validation: classificationMetrics(valid.probabilities, valid.indices, yv),
    },
  };
}
