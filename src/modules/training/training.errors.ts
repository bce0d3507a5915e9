import { errorFamily, FieldError } from 'src/platform/errors';

export class TrainingError extends errorFamily({
  TRAINING_RUN_NOT_FOUND: 'not_found',
  TRAINING_RUN_ACTIVE: 'conflict',
  TRAINING_RUN_FINISHED: 'conflict',
  NO_FEATURE_SCHEMA: 'unprocessable',
  NO_LABEL_COLUMN: 'unprocessable',
  CONTRIBUTION_NOT_USABLE: 'unprocessable',
  NO_TRAINING_ROWS: 'unprocessable',
  SINGLE_CLASS_LABEL: 'unprocessable',
  INVALID_TRAINING_DATA: 'unprocessable',
}) {
  static field(code: ConstructorParameters<typeof TrainingError>[0], field: string, detail: string): TrainingError {
    const errors: FieldError[] = [{ field, code, message: detail }];
    return new TrainingError(code, detail, { errors });
  }
}
