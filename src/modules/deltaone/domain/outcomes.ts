/**
 * Per-row outcomes of one model version on a benchmark, in benchmark row order. Classification labels are class
 * indexes (the positive class of binary metrics is index 1); `positiveScore` is the probability the version gave
 * class 1 and `trueProb` the probability it gave the row's true class (null when the model outputs no
 * probabilities, and then auroc and logloss cannot be computed).
 */
export interface ClassOutcomes {
  kind: 'classes';
  labels: Int32Array;
  predicted: Int32Array;
  positiveScore: Float64Array | null;
  trueProb: Float64Array | null;
}

export interface NumericOutcomes {
  kind: 'numeric';
  labels: Float64Array;
  predicted: Float64Array;
}

export type Outcomes = ClassOutcomes | NumericOutcomes;

export function outcomeCount(o: Outcomes): number {
  return o.labels.length;
}
