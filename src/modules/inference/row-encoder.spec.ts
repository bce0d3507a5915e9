import { InferenceError } from './inference.errors';
import { RowEncoder } from './row-encoder';

const matrix = new RowEncoder(
  [{ name: 'input', type: 'float32', shape: [-1, 3] }],
  [
    { name: 'age', type: 'float' },
    { name: 'income', type: 'float' },
    { name: 'visits', type: 'int' },
  ],
);

function errorOf(fn: () => unknown): InferenceError {
  try {
    fn();
  } catch (err) {
    return err as InferenceError;
  }
  throw new Error('expected an InferenceError');
}

describe(RowEncoder.name, () => {
  it('should map records to columns in feature order when rows are objects', () => {
    const { feeds, rows } = matrix.encode(
      {
        inputs: [
          { visits: 3, age: 1.5, income: 2 },
          { age: 0, income: 0, visits: 0 },
        ],
      },
      100,
    );
    expect(rows).toBe(2);
    expect(feeds.input.dims).toEqual([2, 3]);
    expect(Array.from(feeds.input.data as Float32Array)).toEqual([1.5, 2, 3, 0, 0, 0]);
  });

  it('should take arrays in feature order when rows are instances', () => {
    const { feeds } = matrix.encode({ instances: [[1, 2, 3]] }, 100);
    expect(Array.from(feeds.input.data as Float32Array)).toEqual([1, 2, 3]);
  });

  it('should copy float rows and name each bad value when every feature is a float', () => {
    const floats = new RowEncoder([{ name: 'x', type: 'float64', shape: [-1, 2] }], null);
    expect(Array.from(floats.encode({ instances: [[0.5, -2]] }, 10).feeds.x.data as Float64Array)).toEqual([0.5, -2]);
    const err = errorOf(() =>
      floats.encode({ instances: [[1, 2], [1, 'x'], [1], [null, 3], [Infinity, 1], 'row'] }, 10),
    );
    expect(err.extra?.errors).toEqual([
      expect.objectContaining({ row: 1, feature: 'f1', field: 'instances[1][1]', code: 'NOT_A_NUMBER' }),
      expect.objectContaining({ row: 2, field: 'instances[2]', code: 'WRONG_ROW_LENGTH' }),
      expect.objectContaining({ row: 3, feature: 'f0', field: 'instances[3][0]', code: 'NOT_A_NUMBER' }),
      expect.objectContaining({ row: 4, feature: 'f0', field: 'instances[4][0]', code: 'NOT_FINITE' }),
      expect.objectContaining({ row: 5, field: 'instances[5]', code: 'ROW_NOT_ARRAY' }),
    ]);
  });

  it('should accept a single row object when inputs is not a list', () => {
    expect(matrix.encode({ inputs: { age: 1, income: 2, visits: 3 } }, 100).rows).toBe(1);
  });

  it('should name the row and feature when a feature is missing, extra or mistyped', () => {
    const err = errorOf(() =>
      matrix.encode(
        {
          inputs: [
            { age: 1, income: 2, visits: 3 },
            { age: 1, visits: 2.5, colour: 1 },
            { age: 'old', income: 1, visits: 1 },
          ],
        },
        100,
      ),
    );
    expect(err.code).toBe('INVALID_INPUT');
    const errors = err.extra.errors as unknown as { row: number; feature: string; code: string }[];
    expect(errors.map((e) => `${e.row}:${e.feature}:${e.code}`)).toEqual([
      '1:colour:UNKNOWN_FEATURE',
      '1:income:MISSING_FEATURE',
      '1:visits:NOT_AN_INTEGER',
      '2:age:NOT_A_NUMBER',
    ]);
    expect(err.detail).toMatch(/^Row 1, feature colour/);
  });

  it('should refuse Infinity and a wrong row length when instances are checked', () => {
    const err = errorOf(() =>
      matrix.encode(
        {
          instances: [
            [1, 2],
            [1, Infinity, 3],
          ],
        },
        100,
      ),
    );
    const errors = err.extra.errors as unknown as { row: number; code: string }[];
    expect(errors.map((e) => `${e.row}:${e.code}`)).toEqual(['0:WRONG_ROW_LENGTH', '1:NOT_FINITE']);
  });

  it('should answer TOO_MANY_ROWS when the request is over the row limit', () => {
    const err = errorOf(() =>
      matrix.encode(
        {
          instances: [
            [1, 2, 3],
            [1, 2, 3],
          ],
        },
        1,
      ),
    );
    expect(err.code).toBe('TOO_MANY_ROWS');
    expect(err.kind).toBe('too_large');
  });

  it('should refuse a body with both or neither of inputs and instances', () => {
    expect(errorOf(() => matrix.encode({}, 10)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => matrix.encode({ inputs: [], instances: [] }, 10)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => matrix.encode({ inputs: [] }, 10)).code).toBe('INVALID_INPUT');
  });

  it('should map names to inputs when the model has one input per feature', () => {
    const perFeature = new RowEncoder(
      [
        { name: 'a', type: 'float32', shape: [-1, 1] },
        { name: 'b', type: 'int64', shape: [-1] },
      ],
      null,
    );
    const { feeds } = perFeature.encode({ inputs: [{ a: 0.5, b: 7 }] }, 10);
    expect(feeds.a.dims).toEqual([1, 1]);
    expect(feeds.b.dims).toEqual([1]);
    expect(Array.from(feeds.b.data as BigInt64Array)).toEqual([7n]);
  });

  it('should not batch when the model has a fixed first dimension', () => {
    const fixed = new RowEncoder([{ name: 'x', type: 'float32', shape: [2, 2] }], null);
    expect(fixed.batchable).toBe(false);
    expect(fixed.fixedRows).toBe(2);
    expect(
      errorOf(() =>
        fixed.encode(
          {
            instances: [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
          },
          10,
        ),
      ).code,
    ).toBe('INVALID_INPUT');
  });

  it('should refuse a model when its declared features do not match the input width', () => {
    expect(
      () => new RowEncoder([{ name: 'x', type: 'float32', shape: [-1, 2] }], [{ name: 'only', type: 'float' }]),
    ).toThrow(/declares 1 features but input x takes 2 columns/);
  });
});
