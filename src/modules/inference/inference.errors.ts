import { DomainError, ErrorKind, FieldError } from 'src/platform/errors';

const KINDS = {
  INVALID_INPUT: 'invalid',
  TOO_MANY_ROWS: 'too_large',
  MODEL_NOT_FOUND: 'not_found',
  VERSION_NOT_FOUND: 'not_found',
  ALIAS_NOT_FOUND: 'not_found',
  NO_PRODUCTION_VERSION: 'not_found',
  MODEL_NOT_READY: 'unavailable',
  UNSUPPORTED_MODEL: 'unprocessable',
  INFERENCE_TIMEOUT: 'unavailable',
  INFERENCE_FAILED: 'unavailable',
} as const satisfies Record<string, ErrorKind>;

export type InferenceErrorCode = keyof typeof KINDS;

/** A row-level input problem: which row, which feature, what is wrong. */
export interface RowError extends FieldError {
  row: number;
  feature?: string;
}

export class InferenceError extends DomainError {
  constructor(code: InferenceErrorCode, detail: string, extra: { errors?: RowError[]; [k: string]: unknown } = {}) {
    super(code, KINDS[code], detail, extra);
  }
}
