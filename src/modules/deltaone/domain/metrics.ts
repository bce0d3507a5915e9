import { ratioBps, realBps } from './bps';
import { ClassOutcomes, Outcomes } from './outcomes';

export const COUNT_METRICS = ['accuracy', 'precision', 'recall', 'f1'] as const;
export const CONTINUOUS_METRICS = ['auroc', 'logloss', 'rmse', 'mae'] as const;
export type EvaluationMetric = (typeof COUNT_METRICS)[number] | (typeof CONTINUOUS_METRICS)[number];

/** Probabilities are clipped as scikit-learn's log_loss does, so a confident miss costs a finite loss. */
export const LOGLOSS_EPSILON = 1e-15;

export interface MetricResult {
  metric: EvaluationMetric;
  /** The metric in integer basis points: exact from counts for count metrics (and auroc), rounded otherwise. */
  bps: number;
  /** The metric as a real number, for display only (decisions use `bps`). */
  value: number;
  /** The exact ratio behind a count metric (numerator / denominator), null for real-valued metrics. */
  ratio: { numerator: number; denominator: number } | null;
}

export class MetricUnavailableError extends Error {
  constructor(
    readonly metric: EvaluationMetric,
    reason: string,
  ) {
    super(`${metric} cannot be computed: ${reason}`);
  }
}

interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  correct: number;
}

function confusion(o: ClassOutcomes): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  for (let i = 0; i < o.labels.length; i++) {
    const y = o.labels[i];
    const p = o.predicted[i];
    if (y === p) correct++;
    if (p === 1 && y === 1) tp++;
    else if (p === 1) fp++;
    else if (y === 1) fn++;
  }
  return { tp, fp, fn, correct };
}

function fromRatio(metric: EvaluationMetric, numerator: number, denominator: number): MetricResult {
  // An empty denominator (no positive predictions, say) scores 0, as scikit-learn's zero_division=0.
  if (denominator === 0) return { metric, bps: 0, value: 0, ratio: { numerator, denominator } };
  return {
    metric,
    bps: ratioBps(numerator, denominator),
    value: numerator / denominator,
    ratio: { numerator, denominator },
  };
}

function fromReal(metric: EvaluationMetric, value: number): MetricResult {
  return { metric, bps: realBps(value), value, ratio: null };
}

function needClasses(metric: EvaluationMetric, o: Outcomes): ClassOutcomes {
  if (o.kind !== 'classes') throw new MetricUnavailableError(metric, 'it needs class labels');
  return o;
}

/**
 * Midranks of `scores` (1-based, ties share the mean of their ranks), doubled so that they stay integers:
 * the area under the ROC curve is then an exact ratio of integers.
 */
function doubledMidranks(scores: Float64Array): Float64Array {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(scores.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const doubled = i + 1 + (j + 1); // 2 × the mean of ranks i+1 .. j+1
    for (let k = i; k <= j; k++) ranks[order[k]] = doubled;
    i = j + 1;
  }
  return ranks;
}

/** AUC = (Σ ranks of positives − P(P+1)/2) / (P·N), doubled throughout to stay in integers. */
export function aurocRatio(labels: Int32Array, scores: Float64Array): { numerator: number; denominator: number } {
  const ranks = doubledMidranks(scores);
  let positives = 0;
  let doubledRankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positives++;
      doubledRankSum += ranks[i];
    }
  }
  const negatives = labels.length - positives;
  return { numerator: doubledRankSum - positives * (positives + 1), denominator: 2 * positives * negatives };
}

export function computeMetric(metric: EvaluationMetric, o: Outcomes): MetricResult {
  const n = o.labels.length;
  if (n === 0) throw new MetricUnavailableError(metric, 'no rows');
  switch (metric) {
    case 'accuracy': {
      const c = confusion(needClasses(metric, o));
      return fromRatio(metric, c.correct, n);
    }
    case 'precision': {
      const c = confusion(needClasses(metric, o));
      return fromRatio(metric, c.tp, c.tp + c.fp);
    }
    case 'recall': {
      const c = confusion(needClasses(metric, o));
      return fromRatio(metric, c.tp, c.tp + c.fn);
    }
    case 'f1': {
      const c = confusion(needClasses(metric, o));
      return fromRatio(metric, 2 * c.tp, 2 * c.tp + c.fp + c.fn);
    }
    case 'auroc': {
      const co = needClasses(metric, o);
      if (!co.positiveScore) throw new MetricUnavailableError(metric, 'the model outputs no probabilities');
      const r = aurocRatio(co.labels, co.positiveScore);
      if (r.denominator === 0) throw new MetricUnavailableError(metric, 'the benchmark has a single class');
      return { metric, bps: ratioBps(r.numerator, r.denominator), value: r.numerator / r.denominator, ratio: r };
    }
    case 'logloss': {
      const losses = rowLosses(metric, o);
      return fromReal(metric, mean(losses));
    }
    case 'mae':
      return fromReal(metric, mean(rowLosses(metric, o)));
    case 'rmse':
      return fromReal(metric, Math.sqrt(mean(rowLosses(metric, o))));
  }
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * The per-row loss a continuous metric averages: −ln p(true class) for logloss, |error| for mae, error² for
 * rmse (whose square root is taken after the mean). The paired test compares these row by row.
 */
export function rowLosses(metric: 'logloss' | 'mae' | 'rmse', o: Outcomes): Float64Array {
  const out = new Float64Array(o.labels.length);
  if (metric === 'logloss') {
    const co = needClasses(metric, o);
    if (!co.trueProb) throw new MetricUnavailableError(metric, 'the model outputs no probabilities');
    for (let i = 0; i < out.length; i++) {
      const p = Math.min(1 - LOGLOSS_EPSILON, Math.max(LOGLOSS_EPSILON, co.trueProb[i]));
      out[i] = -Math.log(p);
    }
    return out;
  }
  if (o.kind !== 'numeric') throw new MetricUnavailableError(metric, 'it needs numeric labels');
  for (let i = 0; i < out.length; i++) {
    const e = o.predicted[i] - o.labels[i];
    out[i] = metric === 'mae' ? Math.abs(e) : e * e;
  }
  return out;
}
