import { FieldError } from 'src/platform/errors';
import { TrainerError } from './trainer.errors';
import { Hyperparameters, TRAINER_FAMILIES, TrainerFamily, TrainingData, TrainingJob } from './types';

interface Range {
  min: number;
  max: number;
  integer?: boolean;
  /** The minimum itself is not allowed. */
  exclusiveMin?: boolean;
  default: number;
}

const L2: Range = { min: 0, max: 1e4, default: 1e-4 };
const VALIDATION_FRACTION: Range = { min: 0, max: 0.5, exclusiveMin: true, default: 0.2 };

/** Each family's hyperparameters, their ranges and defaults. */
export const HYPERPARAMETER_RANGES: Record<TrainerFamily, Record<string, Range>> = {
  logistic_regression: {
    l2: L2,
    maxIterations: { min: 1, max: 10_000, integer: true, default: 500 },
    validationFraction: VALIDATION_FRACTION,
  },
  linear_regression: { l2: L2, validationFraction: VALIDATION_FRACTION },
  mlp_classifier: {
    hiddenUnits: { min: 1, max: 256, integer: true, default: 32 },
    epochs: { min: 1, max: 500, integer: true, default: 20 },
    learningRate: { min: 1e-6, max: 1, default: 1e-3 },
    batchSize: { min: 1, max: 8192, integer: true, default: 64 },
    l2: L2,
    validationFraction: VALIDATION_FRACTION,
  },
};

export const MAX_SEED = 2 ** 32 - 1;
export const MAX_CLASSES = 100;

function describe(r: Range): string {
  const kind = r.integer ? 'an integer' : 'a number';
  return `must be ${kind} ${r.exclusiveMin ? 'above' : 'from'} ${r.min} ${r.exclusiveMin ? 'and at most' : 'to'} ${r.max}`;
}

function inRange(v: unknown, r: Range): v is number {
  return (
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!r.integer || Number.isInteger(v)) &&
    (r.exclusiveMin ? v > r.min : v >= r.min) &&
    v <= r.max
  );
}

export function isTrainerFamily(family: unknown): family is TrainerFamily {
  return typeof family === 'string' && (TRAINER_FAMILIES as readonly string[]).includes(family);
}

/**
 * The family's hyperparameters with defaults filled in, or a TrainerError naming every bad field
 * (`family`, `hyperparameters.<name>`, `seed`).
 */
export function resolveHyperparameters(
  family: unknown,
  given: Record<string, unknown> = {},
  seed: unknown = 0,
): { family: TrainerFamily; hyperparameters: Hyperparameters; seed: number } {
  if (!isTrainerFamily(family)) {
    throw TrainerError.field(
      'UNKNOWN_TRAINER_FAMILY',
      'family',
      `family must be one of ${TRAINER_FAMILIES.join(', ')} (got ${JSON.stringify(family)})`,
    );
  }
  const ranges = HYPERPARAMETER_RANGES[family];
  const errors: FieldError[] = [];
  const resolved: Record<string, number> = {};
  for (const name of Object.keys(given)) {
    if (!(name in ranges)) {
      const known = Object.keys(ranges).join(', ');
      errors.push({ field: `hyperparameters.${name}`, code: 'UNKNOWN', message: `${family} takes only ${known}` });
    }
  }
  for (const [name, range] of Object.entries(ranges)) {
    const value = given[name] ?? range.default;
    if (inRange(value, range)) resolved[name] = value;
    else errors.push({ field: `hyperparameters.${name}`, code: 'OUT_OF_RANGE', message: `${name} ${describe(range)}` });
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    errors.push({ field: 'seed', code: 'OUT_OF_RANGE', message: `seed must be an integer from 0 to ${MAX_SEED}` });
  }
  if (errors.length > 0) throw TrainerError.fields('INVALID_HYPERPARAMETERS', errors);
  return { family, hyperparameters: resolved as unknown as Hyperparameters, seed: seed as number };
}

/** Rejects data no model can be trained on: no rows, a shape mismatch, non-finite values, one class. */
export function checkTrainingData(family: TrainerFamily, data: TrainingData): void {
  if (data.rows < 2) {
    throw TrainerError.field('NO_TRAINING_ROWS', 'rows', `training needs at least 2 rows (got ${data.rows})`);
  }
  if (!Number.isInteger(data.features) || data.features < 1 || data.x.length !== data.rows * data.features) {
    throw TrainerError.field(
      'INVALID_TRAINING_DATA',
      'features',
      `${data.rows} rows of ${data.features} features need ${data.rows * data.features} values (got ${data.x.length})`,
    );
  }
  if (data.y.length !== data.rows) {
    throw TrainerError.field('INVALID_TRAINING_DATA', 'labels', `${data.rows} rows need ${data.rows} labels`);
  }
  let badValue = -1;
  for (let i = 0; i < data.x.length && badValue < 0; i++) if (!Number.isFinite(data.x[i])) badValue = i;
  if (badValue >= 0) {
    const row = Math.floor(badValue / data.features);
    const message = `row ${row}, feature ${badValue % data.features} is not a finite number`;
    throw TrainerError.field('INVALID_TRAINING_DATA', 'features', message);
  }
  const classifier = family !== 'linear_regression';
  const badLabel = data.y.findIndex((v) => !Number.isFinite(v) || (classifier && !Number.isSafeInteger(v)));
  if (badLabel >= 0) {
    const message = `row ${badLabel}: the label must be ${classifier ? 'an integer class' : 'a finite number'}`;
    throw TrainerError.field('INVALID_TRAINING_DATA', 'labels', message);
  }
  const classes = classifier ? new Set(data.y).size : 0;
  if (classifier && classes < 2) {
    const message = `the label column has one class (${data.y[0]}); a classifier needs at least two`;
    throw TrainerError.field('SINGLE_CLASS_LABEL', 'labels', message);
  }
  if (classes > MAX_CLASSES) {
    // Training time grows with the classes (10 classes: 4.8 s on 100k rows); beyond this it is not a small model.
    const message = `the label column has ${classes} classes; at most ${MAX_CLASSES} are supported`;
    throw TrainerError.field('INVALID_TRAINING_DATA', 'labels', message);
  }
}

/** A validated job from untrusted parts: throws a TrainerError naming the field, before any worker starts. */
export function buildTrainingJob(
  family: unknown,
  hyperparameters: Record<string, unknown> | undefined,
  seed: unknown,
  data: TrainingData,
): TrainingJob {
  const resolved = resolveHyperparameters(family, hyperparameters, seed);
  checkTrainingData(resolved.family, data);
  return { ...resolved, data } as TrainingJob;
}
