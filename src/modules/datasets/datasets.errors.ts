import { errorFamily } from 'src/platform/errors';

export class DatasetError extends errorFamily({
  DATASET_NOT_FOUND: 'not_found',
  INVALID_KIND: 'invalid',
  INVALID_FILE: 'invalid',
  UPLOAD_TOO_LARGE: 'too_large',
  NO_FEATURE_SCHEMA: 'unprocessable',
  INVALID_ROWS: 'unprocessable',
  NO_ROWS: 'unprocessable',
  NOT_A_BENCHMARK: 'unprocessable',
}) {}
