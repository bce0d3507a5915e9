import { ErrorKind, errorFamily, FieldError } from 'src/platform/errors';

const KINDS = {
  UNKNOWN_TRAINER_FAMILY: 'invalid',
  INVALID_HYPERPARAMETERS: 'invalid',
  NO_TRAINING_ROWS: 'unprocessable',
  SINGLE_CLASS_LABEL: 'unprocessable',
  INVALID_TRAINING_DATA: 'unprocessable',
} as const satisfies Record<string, ErrorKind>;

export type TrainerErrorCode = keyof typeof KINDS;

/** Bad training input, found before any worker starts (so no run is created); each names its field. */
export class TrainerError extends errorFamily(KINDS) {
  static field(code: TrainerErrorCode, field: string, detail: string): TrainerError {
    return new TrainerError(code, detail, { errors: [{ field, code, message: detail }] });
  }

  static fields(code: TrainerErrorCode, errors: FieldError[]): TrainerError {
    return new TrainerError(code, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
}
