/** Pure rules of the registry: names, aliases, directions, signatures, feature checks, deltas, rollback. */

export const BENCHMARK_METRICS = ['accuracy', 'f1', 'precision', 'recall', 'auroc', 'logloss', 'rmse', 'mae'] as const;
export type BenchmarkMetric = (typeof BENCHMARK_METRICS)[number];

export const METRIC_DIRECTIONS = ['higher_is_better', 'lower_is_better'] as const;
export type MetricDirection = (typeof METRIC_DIRECTIONS)[number];

export const LABEL_KINDS = ['classes', 'numeric'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

export const MODEL_VISIBILITIES = ['public', 'private'] as const;
export type ModelVisibility = (typeof MODEL_VISIBILITIES)[number];

export type ModelStatus = 'active' | 'archived';

export const FEATURE_TYPES = ['float', 'int', 'string'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export interface FeatureSpec {
  name: string;
  type: FeatureType;
}

export interface TensorSpec {
  name: string;
  /** Element type as onnxruntime names it (float32, int64, string, ...); `non-tensor` for sequences and maps. */
  type: string;
  /** -1 for a dynamic (symbolic or unknown) dimension; empty for a scalar or a non-tensor. */
  shape: number[];
}

/** Per-version micro-batching settings for inference; the server defaults apply to what is not set. */
export interface BatchingSettings {
  maxBatchSize?: number;
  maxDelayMs?: number;
}

export interface VersionSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** The main graph's operators (`domain:op` outside the default domain); absent when they could not be read. */
  operators?: string[];
}

export type AliasAction = 'set' | 'delete' | 'promote' | 'rollback';

export const PRODUCTION = 'production';

/** A model name: lower-case slug, 1-100 characters, letters and digits at both ends. */
export const MODEL_NAME = /^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$/;
export const MODEL_NAME_MESSAGE =
  'name must be a lower-case slug of 1-100 letters, digits, hyphens or underscores, starting and ending with a letter or digit';

/** Hokusai token ids: letters, digits and inner hyphens, at most 64 characters (stored upper-case). */
export const TOKEN_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
export const TOKEN_ID_MESSAGE =
  'tokenId must be 1-64 letters, digits or hyphens, with no hyphen at the start or the end';

/** MLflow alias rules: `^[\w-]{1,256}$`; `latest` (any case) and `v<digits>` are reserved. */
export const ALIAS = /^[\w-]{1,256}$/;
export const ALIAS_MESSAGE = 'alias must be 1-256 letters, digits, underscores or hyphens';
export const RESERVED_ALIAS_MESSAGE = 'alias "latest" and aliases of the form v<digits> are reserved';

export function isReservedAlias(alias: string): boolean {
  return /^latest$/i.test(alias) || /^v\d+$/i.test(alias);
}

export function isValidAlias(alias: string): boolean {
  return ALIAS.test(alias) && !isReservedAlias(alias);
}

export function defaultDirection(metric: BenchmarkMetric): MetricDirection {
  switch (metric) {
    case 'logloss':
    case 'rmse':
    case 'mae':
      return 'lower_is_better';
    case 'accuracy':
    case 'f1':
    case 'precision':
    case 'recall':
    case 'auroc':
      return 'higher_is_better';
  }
}

/** onnxruntime reports symbolic dimensions as strings; we store them, and anything unknown, as -1. */
export function normalizeShape(shape: ReadonlyArray<number | string>): number[] {
  return shape.map((d) => (typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : -1));
}

/**
 * DESIGN §5: for a single 2-D input [N, k], k must equal the number of features; a single 1-D input takes one
 * feature; a model with one input per feature must name every input as a feature. Returns the problem, or null.
 */
export function featureMismatch(signature: VersionSignature, features: FeatureSpec[] | null): string | null {
  if (!features) return null;
  const { inputs } = signature;
  if (inputs.length === 1) {
    const [input] = inputs;
    if (input.shape.length === 2) {
      const k = input.shape[1];
      if (k >= 0 && k !== features.length) {
        return `input "${input.name}" has ${k} columns but metadata.features lists ${features.length} features`;
      }
      return null;
    }
    if (input.shape.length <= 1 && features.length !== 1) {
      return `input "${input.name}" takes one value per row but metadata.features lists ${features.length} features`;
    }
    return null;
  }
  const names = new Set(features.map((f) => f.name));
  const missing = inputs.filter((i) => !names.has(i.name)).map((i) => i.name);
  if (missing.length > 0 || features.length !== inputs.length) {
    return `a model with ${inputs.length} inputs needs one feature per input, named like the inputs${
      missing.length ? ` (not listed: ${missing.join(', ')})` : ''
    }`;
  }
  return null;
}

/** Rounds half to even, as DESIGN §5 asks for basis points. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  const diff = Math.abs(x - Math.trunc(x));
  if (Math.abs(diff - 0.5) < 1e-9) return 2 * Math.round(x / 2);
  return r;
}

export function toBps(value: number): number {
  return roundHalfEven(value * 10000);
}

/**
 * The improvement of `value` over `reference` in the benchmark metric, positive when better, in the metric's
 * units and in basis points (each value is turned into basis points first). Null when either is missing.
 */
export function benchmarkDelta(
  value: number | null | undefined,
  reference: number | null | undefined,
  direction: MetricDirection,
): { delta: number; deltaBps: number } | null {
  if (value === null || value === undefined || reference === null || reference === undefined) return null;
  const sign = direction === 'higher_is_better' ? 1 : -1;
  const deltaBps = sign * (toBps(value) - toBps(reference));
  return { delta: deltaBps / 10000, deltaBps };
}

export interface AliasChange {
  action: AliasAction;
  toVersion: number | null;
}

/**
 * The version `rollback` would point `production` at, from its history (oldest first): every version that held
 * production is stacked; a rollback pops the current one; deleting the alias clears the stack. The target is
 * the version below the top, i.e. the one that held production before the current one.
 */
export function rollbackTarget(history: AliasChange[]): number | null {
  const stack: number[] = [];
  for (const change of history) {
    if (change.action === 'rollback') {
      stack.pop();
    } else if (change.toVersion === null) {
      stack.length = 0;
    } else if (stack[stack.length - 1] !== change.toVersion) {
      stack.push(change.toVersion);
    }
  }
  return stack.length >= 2 ? stack[stack.length - 2] : null;
}
