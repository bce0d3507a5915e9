export {
  buildTrainingJob,
  checkTrainingData,
  HYPERPARAMETER_RANGES,
  isTrainerFamily,
  resolveHyperparameters,
} from './hyperparameters';
export { runTrainingJob } from './run-job';
export {
  prewarmTrainer,
  startTraining,
  stopIdleTrainer,
  TrainingCancelledError,
  TrainingFailedError,
  TrainingHandle,
} from './trainer-runner';
export { TrainerError, TrainerErrorCode } from './trainer.errors';
export * from './types';
export { verifyOnnx, VerificationError } from './verify';
export { gaussian, mulberry32, permutation } from './prng';
