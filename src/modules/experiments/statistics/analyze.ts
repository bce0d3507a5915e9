import { compareToControl, Comparison, FixedHorizonTest, twoProportionZTest, welchTTest } from './fixed-horizon';
import { evaluateGuardrails, GuardrailObservation, GuardrailResult, GuardrailSpec } from './guardrails';
import { mixingSdFromMde, msprt, MsprtResult } from './msprt';
import { sampleRatioMismatch, SampleRatioCheck } from './srm';
import {
  ContinuousMoments,
  MetricSummary,
  ProportionCounts,
  summarizeContinuous,
  summarizeProportion,
} from './summaries';

/** The experiment-level (and per-treatment) decision. */
export type Decision = 'continue' | 'winner' | 'loser' | 'inconclusive';

/** Why a decision was taken; `code` is stable, `message` is for people. */
export interface DecisionReason {
  code:
    | 'min_samples_not_reached'
    | 'not_significant_yet'
    | 'significantly_better'
    | 'significantly_worse'
    | 'guardrail_breached'
    | 'horizon_reached'
    | 'sample_ratio_mismatch';
  message: string;
  variant?: string;
}

/** One variant's data at this look. The first variant passed is the control. */
export interface VariantData {
  name: string;
  weight: number;
  /** Units assigned to the variant (the SRM check counts these; requests without a unit id are left out). */
  units: number;
  /** Outcomes of the primary metric: counts for a proportion metric, moments for a continuous one. */
  outcomes: ProportionCounts | ContinuousMoments;
  /** The always-valid p-value this treatment had at the previous look (omit before the first). */
  previousPValue?: number;
  /** Served requests, errors and p95 latency, for the guardrails. */
  serving?: GuardrailObservation;
}

/** Everything `analyzeExperiment` needs; mirrors the experiment's configuration. */
export interface ExperimentInput {
  metric: { kind: 'proportion' | 'continuous'; direction: 'increase' | 'decrease' };
  /** Absolute difference in metric units (0.01 = one percentage point for a proportion). Sets the mSPRT τ. */
  minimumDetectableEffect: number;
  alpha: number;
  /** Outcomes per variant (control and treatment) before a treatment can be declared winner or loser. */
  minSamplesPerVariant: number;
  /** Optional planned horizon (outcomes per variant); past it, a treatment with no result is inconclusive. */
  maxSamplesPerVariant?: number;
  guardrails?: readonly GuardrailSpec[];
  variants: readonly VariantData[];
}

/** Per-variant results. Treatment-only fields are null for the control. */
export interface VariantResult {
  name: string;
  summary: MetricSummary;
  guardrails: GuardrailResult[];
  comparison: Comparison | null;
  fixedHorizon: FixedHorizonTest | null;
  /** Null for the control and for treatments below minSamplesPerVariant (the running p-value is not advanced). */
  alwaysValid: MsprtResult | null;
  /** What to store and pass back as previousPValue at the next look (null for the control). */
  alwaysValidPValue: number | null;
  decision: Decision | null;
  reasons: DecisionReason[];
}

/** The analysis of one look at an experiment. */
export interface ExperimentAnalysis {
  decision: Decision;
  /** The winning treatment when decision is 'winner'. */
  winner: string | null;
  /** True only for a winner: min samples reached, no guardrail breach, no sample-ratio mismatch. */
  promotable: boolean;
  reasons: DecisionReason[];
  /** α per treatment-vs-control comparison: α/(k − 1) for k variants (Bonferroni). */
  alphaPerComparison: number;
  sampleRatio: SampleRatioCheck;
  variants: VariantResult[];
}

function isCounts(o: ProportionCounts | ContinuousMoments): o is ProportionCounts {
  return 'successes' in o;
}

function summarize(
  kind: ExperimentInput['metric']['kind'],
  outcomes: VariantData['outcomes'],
  level: number,
): MetricSummary {
  if (kind === 'proportion') {
    if (!isCounts(outcomes)) throw new TypeError('a proportion metric needs {n, successes}');
    return summarizeProportion(outcomes, level);
  }
  if (isCounts(outcomes)) throw new TypeError('a continuous metric needs {n, mean, variance}');
  return summarizeContinuous(outcomes, level);
}

function decideTreatment(
  input: ExperimentInput,
  control: MetricSummary,
  name: string,
  summary: MetricSummary,
  guardrails: GuardrailResult[],
  look: MsprtResult | null,
  alpha: number,
): { decision: Decision; reasons: DecisionReason[] } {
  const breached = guardrails.filter((g) => g.breached);
  if (breached.length > 0) {
    return {
      decision: 'loser',
      reasons: breached.map((g) => ({
        code: 'guardrail_breached',
        variant: name,
        message: `${g.metric}: ${g.reason}`,
      })),
    };
  }
  if (!look) {
    const message = `needs ${input.minSamplesPerVariant} outcomes per variant (control ${control.n}, ${name} ${summary.n})`;
    return { decision: 'continue', reasons: [{ code: 'min_samples_not_reached', variant: name, message }] };
  }
  if (look.significant) {
    const better = input.metric.direction === 'increase' ? look.difference > 0 : look.difference < 0;
    const message = `always-valid p = ${look.pValue.toPrecision(3)} <= ${alpha.toPrecision(3)}, difference ${look.difference.toPrecision(4)}`;
    return better
      ? { decision: 'winner', reasons: [{ code: 'significantly_better', variant: name, message }] }
      : { decision: 'loser', reasons: [{ code: 'significantly_worse', variant: name, message }] };
  }
  const max = input.maxSamplesPerVariant;
  if (max !== undefined && control.n >= max && summary.n >= max) {
    const message = `planned ${max} outcomes per variant reached without a significant difference (always-valid p = ${look.pValue.toPrecision(3)})`;
    return { decision: 'inconclusive', reasons: [{ code: 'horizon_reached', variant: name, message }] };
  }
  const message = `always-valid p = ${look.pValue.toPrecision(3)} > ${alpha.toPrecision(3)}`;
  return { decision: 'continue', reasons: [{ code: 'not_significant_yet', variant: name, message }] };
}

function overall(
  input: ExperimentInput,
  srm: SampleRatioCheck,
  treatments: VariantResult[],
): Pick<ExperimentAnalysis, 'decision' | 'winner' | 'promotable' | 'reasons'> {
  const reasons = treatments.flatMap((t) => t.reasons);
  if (srm.flagged) {
    const message = `units per variant do not match the weights (chi-square p = ${srm.pValue.toPrecision(3)} < 0.001): assignment or logging is broken`;
    return {
      decision: 'inconclusive',
      winner: null,
      promotable: false,
      reasons: [{ code: 'sample_ratio_mismatch', message }, ...reasons],
    };
  }
  const sign = input.metric.direction === 'increase' ? 1 : -1;
  const winners = treatments.filter((t) => t.decision === 'winner');
  if (winners.length > 0) {
    const best = winners.reduce((a, b) =>
      sign * (b.comparison?.difference ?? 0) > sign * (a.comparison?.difference ?? 0) ? b : a,
    );
    return { decision: 'winner', winner: best.name, promotable: true, reasons };
  }
  const decisions = treatments.map((t) => t.decision);
  if (decisions.every((d) => d === 'loser')) return { decision: 'loser', winner: null, promotable: false, reasons };
  if (decisions.some((d) => d === 'continue'))
    return { decision: 'continue', winner: null, promotable: false, reasons };
  return { decision: 'inconclusive', winner: null, promotable: false, reasons };
}

/**
 * One look at an experiment: per-variant summaries (Wilson or t intervals at 1 − α), lift over control with
 * fixed-horizon intervals, the fixed-horizon test (two-proportion z or Welch t, labelled valid only at the planned
 * sample size), the mSPRT always-valid p-value and interval (τ = |minimumDetectableEffect|, α Bonferroni-split over
 * the treatments), guardrails, the sample-ratio check against the weights, and the decision with reasons.
 * Per treatment: a guardrail breach makes it a loser at once; below minSamplesPerVariant it continues; an
 * always-valid p ≤ α/(k − 1) makes it a winner or loser by the sign of the difference and the metric's direction;
 * past maxSamplesPerVariant it is inconclusive. Overall: a sample-ratio mismatch makes the look inconclusive and
 * blocks promotion; otherwise the best winning treatment wins, all treatments losing is 'loser', any treatment
 * still running is 'continue'. Pure: the caller stores each treatment's alwaysValidPValue for the next look.
 * Guardrail breaches are per treatment (`variants[i].decision === 'loser'` with a `guardrail_breached` reason): act on
 * them (weight 0) even when the overall decision is 'inconclusive' because of a sample-ratio mismatch. Units must be
 * counted under the weights passed in: after a weight change (such as a breached treatment set to 0), pass the units
 * assigned since the change, or the SRM check flags the old units.
 */
export function analyzeExperiment(input: ExperimentInput): ExperimentAnalysis {
  const { variants, alpha } = input;
  if (variants.length < 2) throw new RangeError('an experiment needs a control and at least one treatment');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const tau = mixingSdFromMde(input.minimumDetectableEffect);
  const alphaPerComparison = alpha / (variants.length - 1);
  const level = 1 - alpha;
  const summaries = variants.map((v) => summarize(input.metric.kind, v.outcomes, level));
  const control = summaries[0];
  const results: VariantResult[] = variants.map((v, i) => {
    const summary = summaries[i];
    const guardrails = v.serving ? evaluateGuardrails(input.guardrails ?? [], v.serving) : [];
    if (i === 0) {
      return {
        name: v.name,
        summary,
        guardrails,
        comparison: null,
        fixedHorizon: null,
        alwaysValid: null,
        alwaysValidPValue: null,
        decision: null,
        reasons: [],
      };
    }
    const fixedHorizon =
      input.metric.kind === 'proportion'
        ? twoProportionZTest(variants[0].outcomes as ProportionCounts, v.outcomes as ProportionCounts)
        : welchTTest(control, summary);
    const enough = control.n >= input.minSamplesPerVariant && summary.n >= input.minSamplesPerVariant;
    const look = enough
      ? msprt({ control, treatment: summary, tau, alpha: alphaPerComparison, previousPValue: v.previousPValue })
      : null;
    const { decision, reasons } = decideTreatment(
      input,
      control,
      v.name,
      summary,
      guardrails,
      look,
      alphaPerComparison,
    );
    return {
      name: v.name,
      summary,
      guardrails,
      comparison: compareToControl(control, summary, level),
      fixedHorizon,
      alwaysValid: look,
      alwaysValidPValue: look ? look.pValue : Math.min(1, v.previousPValue ?? 1),
      decision,
      reasons,
    };
  });
  const srm = sampleRatioMismatch(
    variants.map((v) => v.units),
    variants.map((v) => v.weight),
  );
  return { ...overall(input, srm, results.slice(1)), alphaPerComparison, sampleRatio: srm, variants: results };
}
