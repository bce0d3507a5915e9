import { binomialHalfCdf, normalTwoSided, studentTTwoSided } from './distributions';
import { EvaluationMetric, MetricResult, rowLosses } from './metrics';
import { ClassOutcomes, Outcomes } from './outcomes';

export interface McNemarResult {
  test: 'mcnemar_exact';
  /** Rows only the baseline got right. */
  b: number;
  /** Rows only the candidate got right. */
  c: number;
  pValue: number;
}

/** McNemar's exact test, two-sided: 2 · P(X ≤ min(b, c)) for X ~ Binomial(b + c, 1/2), capped at 1. */
export function mcnemarExact(b: number, c: number): McNemarResult {
  const n = b + c;
  const pValue = n === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
  return { test: 'mcnemar_exact', b, c, pValue };
}

export interface PairedTResult {
  test: 'paired_t';
  /** Mean of baseline loss − candidate loss per row (positive = the candidate is better). */
  meanDifference: number;
  t: number;
  df: number;
  pValue: number;
}

/** Student's paired t test on per-row differences, two-sided (scipy.stats.ttest_rel). */
export function pairedT(differences: Float64Array): PairedTResult {
  const n = differences.length;
  let sum = 0;
  for (const d of differences) sum += d;
  const meanDifference = sum / n;
  let ss = 0;
  for (const d of differences) ss += (d - meanDifference) ** 2;
  const df = n - 1;
  const se = Math.sqrt(ss / df / n);
  if (!(se > 0)) {
    const t = meanDifference === 0 ? 0 : Math.sign(meanDifference) * Infinity;
    return { test: 'paired_t', meanDifference, t, df, pValue: meanDifference === 0 ? 1 : 0 };
  }
  const t = meanDifference / se;
  return { test: 'paired_t', meanDifference, t, df, pValue: studentTTwoSided(t, df) };
}

export interface DeLongResult {
  test: 'delong';
  /** AUC(candidate) − AUC(baseline). */
  difference: number;
  z: number;
  pValue: number;
}

/** Midranks of a sample (1-based; ties share the mean rank). */
function midranks(xs: number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Array<number>(xs.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    for (let k = i; k <= j; k++) r[order[k]] = (i + j + 2) / 2;
    i = j + 1;
  }
  return r;
}

/**
 * Placement values of one model (DeLong et al. 1988, the fast form of Sun & Xu 2014):
 * V10[i] = share of negatives a positive outranks, V01[j] = share of positives outranking a negative.
 */
function placements(pos: number[], neg: number[]): { auc: number; v10: number[]; v01: number[] } {
  const m = pos.length;
  const n = neg.length;
  const all = midranks([...pos, ...neg]);
  const rp = midranks(pos);
  const rn = midranks(neg);
  const v10 = pos.map((_, i) => (all[i] - rp[i]) / n);
  const v01 = neg.map((_, j) => 1 - (all[m + j] - rn[j]) / m);
  const auc = v10.reduce((s, v) => s + v, 0) / m;
  return { auc, v10, v01 };
}

function covariance(a: number[], b: number[]): number {
  const k = a.length;
  if (k < 2) return 0;
  const ma = a.reduce((s, v) => s + v, 0) / k;
  const mb = b.reduce((s, v) => s + v, 0) / k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (k - 1);
}

/** DeLong's test for two correlated ROC curves (the same rows scored by both versions), two-sided. */
export function delong(labels: Int32Array, baseline: Float64Array, candidate: Float64Array): DeLongResult {
  const split = (s: Float64Array) => {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(s[i]);
    return { pos, neg };
  };
  const b = split(baseline);
  const c = split(candidate);
  const pb = placements(b.pos, b.neg);
  const pc = placements(c.pos, c.neg);
  const m = b.pos.length;
  const n = b.neg.length;
  const variance =
    (covariance(pb.v10, pb.v10) + covariance(pc.v10, pc.v10) - 2 * covariance(pb.v10, pc.v10)) / m +
    (covariance(pb.v01, pb.v01) + covariance(pc.v01, pc.v01) - 2 * covariance(pb.v01, pc.v01)) / n;
  const difference = pc.auc - pb.auc;
  if (!(variance > 0)) return { test: 'delong', difference, z: 0, pValue: difference === 0 ? 1 : 0 };
  const z = difference / Math.sqrt(variance);
  return { test: 'delong', difference, z, pValue: normalTwoSided(z) };
}

/**
 * Whether each row counts for a count metric and whether a version got it right. accuracy: every row; recall:
 * the rows whose label is positive (exactly the rows recall is a proportion of); precision: the rows either
 * version predicted positive; f1: every row but those both versions call a true negative (f1 ignores them).
 */
function pairedCounts(metric: EvaluationMetric, base: ClassOutcomes, cand: ClassOutcomes): { b: number; c: number } {
  let b = 0;
  let c = 0;
  for (let i = 0; i < base.labels.length; i++) {
    const y = base.labels[i];
    const pb = base.predicted[i];
    const pc = cand.predicted[i];
    if (metric === 'recall' && y !== 1) continue;
    if (metric === 'precision' && pb !== 1 && pc !== 1) continue;
    if (metric === 'f1' && y !== 1 && pb !== 1 && pc !== 1) continue;
    const okB = pb === y;
    const okC = pc === y;
    if (okB && !okC) b++;
    else if (okC && !okB) c++;
  }
  return { b, c };
}

export interface WaldInterval {
  /** Hokusai's unpooled Wald 95 % interval of candidate − baseline, in bps (not direction-aware: proportions only). */
  lowBps: number;
  highBps: number;
  significant: boolean;
}

/** SE = sqrt(pb(1−pb)/nb + pc(1−pc)/nc), Δ ± 1.96·SE; "significant" iff the low end is above 0. */
export function waldInterval(baseline: MetricResult, candidate: MetricResult): WaldInterval | null {
  if (!baseline.ratio || !candidate.ratio || baseline.metric === 'auroc') return null;
  const nb = baseline.ratio.denominator;
  const nc = candidate.ratio.denominator;
  if (nb === 0 || nc === 0) return null;
  const pb = baseline.ratio.numerator / nb;
  const pc = candidate.ratio.numerator / nc;
  const se = Math.sqrt((pb * (1 - pb)) / nb + (pc * (1 - pc)) / nc);
  const d = pc - pb;
  const round = (x: number) => Math.round(x * 10000 * 100) / 100;
  const low = d - 1.96 * se;
  return { lowBps: round(low), highBps: round(d + 1.96 * se), significant: low > 0 };
}

export type SignificanceTest = McNemarResult | PairedTResult | DeLongResult;

export interface EvaluationStatistics {
  paired: SignificanceTest;
  alpha: number;
  significant: boolean;
  wald: WaldInterval | null;
}

/**
 * The paired significance test for the metric, on the rows both versions saw: McNemar exact for count
 * metrics, a paired t on per-row losses for logloss/mae/rmse, DeLong for auroc. Significant iff p < alpha.
 */
export function compareVersions(
  metric: EvaluationMetric,
  base: Outcomes,
  cand: Outcomes,
  baseResult: MetricResult,
  candResult: MetricResult,
  alpha: number,
): EvaluationStatistics {
  let paired: SignificanceTest;
  if (metric === 'auroc') {
    const b = base as ClassOutcomes;
    const c = cand as ClassOutcomes;
    paired = delong(b.labels, b.positiveScore as Float64Array, c.positiveScore as Float64Array);
  } else if (metric === 'logloss' || metric === 'mae' || metric === 'rmse') {
    const lb = rowLosses(metric, base);
    const lc = rowLosses(metric, cand);
    const d = new Float64Array(lb.length);
    for (let i = 0; i < d.length; i++) d[i] = lb[i] - lc[i];
    paired = pairedT(d);
  } else {
    const { b, c } = pairedCounts(metric, base as ClassOutcomes, cand as ClassOutcomes);
    paired = mcnemarExact(b, c);
  }
  return { paired, alpha, significant: paired.pValue < alpha, wald: waldInterval(baseResult, candResult) };
}
