export { answer, createDeltaOneClient, type DeltaOneClient, type DeltaOneClientOptions } from './client';
export { type Problem, ProblemError, type ProblemFieldError } from './problem-error';
export {
  contributionDatasetHash,
  contributionMessage,
  type MessageSigner,
  signContribution,
} from './contribution-signature';
export { uploadVersion, type UploadProgress } from './upload';
export type { components, operations, paths } from './schema';
export { uploadDataset, type DatasetUpload } from './upload';
export {
  followTrainingRun,
  sseEvents,
  type TrainingEvent,
  type TrainingProgress,
  type TrainingRun,
} from './training-events';
