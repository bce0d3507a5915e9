import { formatRows } from './output-format';
import { Outputs } from './micro-batcher';
import { columnsOf, predictionColumns } from './prediction-columns';

/** The columns as plain rows, to compare them with formatRows' rows. */
const asRows = (outputs: Outputs, rows: number) => {
  const c = predictionColumns(outputs, rows);
  return Array.from({ length: rows }, (_, r) => ({
    label: c.label?.[r],
    probabilities: c.probabilities
      ? Array.from(c.probabilities.values).slice(r * c.probabilities.width, (r + 1) * c.probabilities.width)
      : undefined,
    value: c.value?.[r],
  }));
};

const rowsOf = (outputs: Outputs, rows: number) =>
  formatRows(outputs, rows).map((p) => ({ label: p.label, probabilities: p.probabilities, value: p.value }));

describe('predictionColumns', () => {
  it('should give the labels and probabilities formatRows gives when the model is a classifier with int64 labels', () => {
    const outputs: Outputs = {
      label: { type: 'int64', dims: [3], data: BigInt64Array.from([1n, 0n, 2n]) },
      probabilities: {
        type: 'float32',
        dims: [3, 3],
        data: Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0, 0, 1]),
      },
    };
    expect(asRows(outputs, 3)).toEqual(rowsOf(outputs, 3));
    expect(predictionColumns(outputs, 3).label).toBeInstanceOf(Float64Array);
  });

  it('should give the values formatRows gives when the model is a regressor', () => {
    const outputs: Outputs = { variable: { type: 'float32', dims: [2, 1], data: Float32Array.from([1.5, -2.25]) } };
    expect(asRows(outputs, 2)).toEqual(rowsOf(outputs, 2));
  });

  it('should take formatRows path when an output is not batched by row', () => {
    const outputs: Outputs = {
      label: { type: 'int64', dims: [2], data: BigInt64Array.from([1n, 0n]) },
      scores: { type: 'float32', dims: [3], data: Float32Array.from([0.2, 0.3, 0.5]) },
    };
    expect(predictionColumns(outputs, 2)).toEqual(columnsOf(formatRows(outputs, 2)));
  });
});

describe('columnsOf', () => {
  it('should leave the probabilities out when a row has none', () => {
    const c = columnsOf([{ label: 'a', probabilities: [0.4, 0.6] }, { label: 'b' }]);
    expect(c.probabilities).toBeNull();
    expect(c.label).toEqual(['a', 'b']);
    expect(c.value).toBeNull();
  });
});
