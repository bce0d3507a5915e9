import type { Fallback } from './production-fallback';
import type { RowPrediction } from './output-format';

export interface PredictOptions {
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
}

/** A predict answer as the HTTP route sends it: its version, and its JSON text with the request's id last. */
export interface PredictAnswer {
  version: number;
  json(requestId: string): string;
}
