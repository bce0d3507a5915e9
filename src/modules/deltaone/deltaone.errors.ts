import { errorFamily } from 'src/platform/errors';

export class DeltaOneError extends errorFamily({
  EVALUATION_NOT_FOUND: 'not_found',
  INSUFFICIENT_SCOPE: 'forbidden',
  NO_BENCHMARK: 'unprocessable',
  NO_BASELINE: 'unprocessable',
  SAME_VERSION: 'unprocessable',
  BENCHMARK_OF_ANOTHER_MODEL: 'unprocessable',
  NO_LABEL_KIND: 'unprocessable',
  UNSCORABLE: 'unprocessable',
  METRIC_UNAVAILABLE: 'unprocessable',
}) {}
