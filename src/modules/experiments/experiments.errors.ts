import { ErrorKind, errorFamily } from 'src/platform/errors';

const KINDS = {
  EXPERIMENT_NOT_FOUND: 'not_found',
  EXPERIMENT_INVALID: 'invalid',
  EXPERIMENT_STATE_CONFLICT: 'conflict',
  EXPERIMENT_ALREADY_RUNNING: 'conflict',
  PREDICTION_NOT_FOUND: 'not_found',
  OUTCOME_CONFLICT: 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type ExperimentsErrorCode = keyof typeof KINDS;

export class ExperimentsError extends errorFamily(KINDS) {
  static field(field: string, detail: string): ExperimentsError {
    return new ExperimentsError('EXPERIMENT_INVALID', detail, {
      errors: [{ field, code: 'EXPERIMENT_INVALID', message: detail }],
    });
  }
}
