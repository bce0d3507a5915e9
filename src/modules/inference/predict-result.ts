import type { Fallback } from './production-fallback';
import type { HeaderReader } from 'src/modules/experiments';
import type { RowPrediction } from './output-format';
import type { PredictionColumns } from './prediction-columns';

export interface PredictOptions {
  /** The request's headers: an A/B experiment on the model reads its unit header from them. */
  header?: HeaderReader;
  /** The request's id: a routed prediction is logged under it (its outcome is reported by it). */
  requestId?: string;
  /** `Cache-Control: no-cache`: skip the result cache for this request. */
  noCache?: boolean;
  /** Size of the request body, for the result cache's size limit. */
  bodyBytes?: number;
}

export interface Unloaded {
  /** Versions dropped from memory. */
  versions: number;
  /**
   * The next predict or infer request loads the model again (a production model keeps serving); until then,
   * or until `load`, the protocol's ready answers not ready.
   */
  reloadsOnDemand: true;
}

export interface PredictResult {
  model: string;
  version: number;
  predictions: RowPrediction[];
  cached: boolean;
  fallback: Fallback | null;
  /** Set when a running A/B experiment chose the version. */
  experiment?: ExperimentServed;
}

/** Which experiment and variant served a request (in the answer's body; the variant also in `X-Variant`). */
export interface ExperimentServed {
  id: string;
  name: string;
  variant: string;
  /** The variant's version (the answer's `version` differs only when it fell back). */
  version: number;
  /** `unit`: chosen by the unit header's hash (sticky); `random`: the request named no unit. */
  assignment: 'unit' | 'random';
}

/** A predict answer as the HTTP route sends it: its version, and its JSON text with the request's id last. */
export interface PredictAnswer {
  version: number;
  /** The variant that served it, when an experiment routed it. */
  variant?: string;
  json(requestId: string): string;
}

/** One version's scorer of float32 matrices in its feature order (see InferenceService.matrixScorer). */
export interface MatrixScorer {
  features: string[];
  /** The run's predictions as columns: what formatRows would give each row, without an object per row. */
  score(data: Float32Array, rows: number): Promise<PredictionColumns>;
}
