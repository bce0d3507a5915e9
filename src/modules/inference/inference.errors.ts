import { errorFamily, FieldError } from 'src/platform/errors';

/** A row-level input problem: which row, which feature, what is wrong. */
export interface RowError extends FieldError {
  row: number;
  feature?: string;
}

export class InferenceError extends errorFamily({
  INVALID_INPUT: 'invalid',
  TOO_MANY_ROWS: 'too_large',
  NO_PRODUCTION_VERSION: 'not_found',
  MODEL_NOT_READY: 'unavailable',
  UNSUPPORTED_MODEL: 'unprocessable',
  INFERENCE_TIMEOUT: 'unavailable',
  INFERENCE_FAILED: 'unavailable',
  /** The protocol's runtime fault: the model failed to run the request's tensors (predict says INFERENCE_FAILED). */
  MODEL_FAILED: 'internal',
}) {}
