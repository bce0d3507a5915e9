import { DomainError } from 'src/platform/errors';
import { buildTrainingJob, resolveHyperparameters } from './hyperparameters';
import { TrainingData } from './types';

const data = (y: number[], x = y.map((_, i) => i)): TrainingData => ({
  x: Float32Array.from(x),
  rows: y.length,
  features: 1,
  y: Float64Array.from(y),
});

function fieldsOf(run: () => unknown): { code: string; fields: string[] } {
  try {
    run();
  } catch (e) {
    const error = e as DomainError;
    return { code: error.code, fields: (error.extra.errors ?? []).map((f) => f.field) };
  }
  throw new Error('expected a TrainerError');
}

describe('trainer hyperparameters', () => {
  it('should fill in the defaults when no hyperparameters are given', () => {
    expect(resolveHyperparameters('logistic_regression')).toEqual({
      family: 'logistic_regression',
      hyperparameters: { l2: 1e-4, maxIterations: 500, validationFraction: 0.2 },
      seed: 0,
    });
    expect(resolveHyperparameters('linear_regression', { l2: 2 }, 9).hyperparameters).toEqual({
      l2: 2,
      validationFraction: 0.2,
    });
  });

  it('should name the family when the family is unknown', () => {
    expect(fieldsOf(() => resolveHyperparameters('random_forest'))).toEqual({
      code: 'UNKNOWN_TRAINER_FAMILY',
      fields: ['family'],
    });
  });

  it('should name every bad field when hyperparameters are out of range', () => {
    const given = { l2: -1, maxIterations: 2.5, validationFraction: 0.9 };
    expect(fieldsOf(() => resolveHyperparameters('logistic_regression', given, -3))).toEqual({
      code: 'INVALID_HYPERPARAMETERS',
      fields: ['hyperparameters.l2', 'hyperparameters.maxIterations', 'hyperparameters.validationFraction', 'seed'],
    });
  });

  it('should reject a hyperparameter the family does not take when it is given', () => {
    expect(fieldsOf(() => resolveHyperparameters('linear_regression', { maxIterations: 10 }))).toEqual({
      code: 'INVALID_HYPERPARAMETERS',
      fields: ['hyperparameters.maxIterations'],
    });
  });

  it('should reject the data when there are no rows', () => {
    expect(fieldsOf(() => buildTrainingJob('linear_regression', {}, 0, data([])))).toEqual({
      code: 'NO_TRAINING_ROWS',
      fields: ['rows'],
    });
  });

  it('should reject the data when the label column has one class', () => {
    expect(fieldsOf(() => buildTrainingJob('logistic_regression', {}, 0, data([1, 1, 1])))).toEqual({
      code: 'SINGLE_CLASS_LABEL',
      fields: ['labels'],
    });
  });

  it('should reject the data when the label column has more classes than a small model takes', () => {
    const many = Array.from({ length: 202 }, (_, i) => i % 101);
    expect(fieldsOf(() => buildTrainingJob('mlp_classifier', {}, 0, data(many)))).toEqual({
      code: 'INVALID_TRAINING_DATA',
      fields: ['labels'],
    });
  });

  it('should reject the data when a classifier label is not an integer or a feature is not finite', () => {
    expect(fieldsOf(() => buildTrainingJob('logistic_regression', {}, 0, data([0, 1.5, 1])))).toEqual({
      code: 'INVALID_TRAINING_DATA',
      fields: ['labels'],
    });
    expect(fieldsOf(() => buildTrainingJob('linear_regression', {}, 0, data([0, 1], [1, NaN])))).toEqual({
      code: 'INVALID_TRAINING_DATA',
      fields: ['features'],
    });
  });
});
