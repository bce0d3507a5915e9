export const TRAINER_FAMILIES = ['logistic_regression', 'linear_regression', 'mlp_classifier'] as const;
export type TrainerFamily = (typeof TRAINER_FAMILIES)[number];

export interface LogisticHyperparameters {
  /** λ in mean cross-entropy + (λ/2)‖W‖² (the bias is not penalised). */
  l2: number;
  maxIterations: number;
  validationFraction: number;
}

export interface RidgeHyperparameters {
  /** λ in (XᵀX/n + λI) w = Xᵀ(y − ȳ)/n on standardised features. */
  l2: number;
  validationFraction: number;
}

export interface MlpHyperparameters {
  hiddenUnits: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** λ on both weight matrices (biases are not penalised). */
  l2: number;
  validationFraction: number;
}

export type Hyperparameters = LogisticHyperparameters | RidgeHyperparameters | MlpHyperparameters;

/**
 * Rows as float32 (what the ONNX input takes), row-major: x[r * features + c]. Arrays backed by a
 * SharedArrayBuffer (see allocateTrainingData) reach the worker without a copy on the main thread.
 */
export interface TrainingData {
  x: Float32Array;
  rows: number;
  features: number;
  /** Class labels (integers) for classifiers, targets for regressors; one per row. */
  y: Float64Array;
}

export type TrainingJob =
  | { family: 'logistic_regression'; hyperparameters: LogisticHyperparameters; seed: number; data: TrainingData }
  | { family: 'linear_regression'; hyperparameters: RidgeHyperparameters; seed: number; data: TrainingData }
  | { family: 'mlp_classifier'; hyperparameters: MlpHyperparameters; seed: number; data: TrainingData };

export interface TrainingProgress {
  iteration: number;
  loss: number;
  elapsedMs: number;
}

/** accuracy and logloss for classifiers; rmse, mae and r2 for regressors. */
export type Metrics = Record<string, number>;

export interface Verification {
  /** Validation rows run through onnxruntime and compared with the trainer's own predictions. */
  rows: number;
  /** Max abs difference on probabilities (classifiers) or max relative difference on values (regressors). */
  maxDifference: number;
  labelMismatches: number;
}

export interface TrainingResult {
  family: TrainerFamily;
  onnx: Uint8Array;
  hyperparameters: Hyperparameters;
  seed: number;
  rows: { training: number; validation: number };
  features: number;
  /** The label value of each class index, for classifiers. */
  classes?: number[];
  iterations: number;
  converged: boolean;
  metrics: { training: Metrics; validation: Metrics };
  verification: Verification;
  /** Whole job in the worker (prepare, fit, metrics, export, verify) and its parts. */
  durationMs: number;
  timingsMs: {
    /** Split, standardise, label indices (ridge: the split; its one pass over the rows is in fit). */
    prepare: number;
    /** The optimiser or solver alone. */
    fit: number;
    /** Metrics, the trainer's own validation predictions and the ONNX export. */
    finish: number;
    /** prepare + fit + finish: what scikit-learn's scaler + fit is compared with. */
    train: number;
    /** onnxruntime: load the exported model and run it on the validation rows (work scikit-learn does not do). */
    verify: number;
    /**
     * From startTraining to the job starting in the worker: a new thread and its module loading when no warm
     * worker was idle, a message otherwise (set by the runner).
     */
    start?: number;
    /** The worker's result reaching the main thread (set by the runner). */
    deliver?: number;
  };
}

/** The trainer's own predictions on some rows, to compare with onnxruntime's. */
export interface OwnPredictions {
  rows: number;
  /** Classifiers: [rows × K] probabilities and the label value per row. */
  probabilities?: Float64Array;
  labels?: Float64Array;
  /** Regressors: one value per row. */
  values?: Float64Array;
}

/**
 * Empty training arrays in shared memory: the worker reads them in place, so starting a run on 100,000 × 20 rows
 * does not copy 8 MB on the event loop (a copy there measured 10-100 ms on a loaded 2-core machine).
 */
export function allocateTrainingData(rows: number, features: number): TrainingData {
  return {
    x: new Float32Array(new SharedArrayBuffer(rows * features * 4)),
    rows,
    features,
    y: new Float64Array(new SharedArrayBuffer(rows * 8)),
  };
}
