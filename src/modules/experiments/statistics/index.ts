// Pure statistics for A/B experiments (issue 22 §5). No Nest, no I/O: the experiments module feeds it counts and
// stores what it returns. Formulas: /work/shared/reference/ab-statistics.md.
export { analyzeExperiment } from './analyze';
export type {
  Decision,
  DecisionReason,
  ExperimentAnalysis,
  ExperimentInput,
  VariantData,
  VariantResult,
} from './analyze';
export {
  chiSquareSf,
  normalCdf,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
} from './distributions';
export { compareToControl, FIXED_HORIZON_VALIDITY, twoProportionZTest, welchTTest } from './fixed-horizon';
export type { Comparison, FixedHorizonTest } from './fixed-horizon';
export { evaluateGuardrails } from './guardrails';
export type { GuardrailObservation, GuardrailOptions, GuardrailResult, GuardrailSpec } from './guardrails';
export { mixingSdFromMde, msprt } from './msprt';
export type { MsprtInput, MsprtResult } from './msprt';
export {
  emptyLatencyHistogram,
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKET_COUNT,
  latencyBucketIndex,
  percentilesFromHistogram,
  percentilesFromSample,
  quantileFromHistogram,
} from './percentiles';
export type { LatencyPercentiles } from './percentiles';
export { fixedHorizonSamplesPerArm, msprtPowerAt, sequentialHorizonPerArm } from './planning';
export type { ProportionPlan, SequentialPlan } from './planning';
export { sampleRatioMismatch, SRM_P_THRESHOLD } from './srm';
export type { SampleRatioCheck } from './srm';
export {
  momentsFromSums,
  momentsFromWelford,
  summarizeContinuous,
  summarizeProportion,
  welfordAdd,
  welfordEmpty,
  welfordMerge,
  wilsonInterval,
} from './summaries';
export type { ContinuousMoments, Interval, MetricSummary, ProportionCounts, WelfordState } from './summaries';
