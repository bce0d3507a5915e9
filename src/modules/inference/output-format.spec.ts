import { formatRows } from './output-format';

describe('formatRows', () => {
  it('should give label and probabilities per row when the model is a classifier', () => {
    const rows = formatRows(
      {
        label: { type: 'int64', dims: [2], data: BigInt64Array.from([1n, 0n]) },
        probabilities: { type: 'float32', dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.5, 0.5]) },
      },
      2,
    );
    expect(rows[0]).toMatchObject({ label: 1, probabilities: [0.25, 0.75] });
    expect(rows[1]).toMatchObject({ label: 0, probabilities: [0.5, 0.5] });
    expect(rows[0].value).toBeUndefined();
  });

  it('should give the value per row when the model has one numeric output per row', () => {
    const rows = formatRows({ variable: { type: 'float32', dims: [2, 1], data: Float32Array.from([1.5, 2.5]) } }, 2);
    expect(rows.map((r) => r.value)).toEqual([1.5, 2.5]);
    expect(rows[1].outputs).toBeUndefined();
  });

  it('should list the outputs by name when the model has outputs that are not a label, probabilities or a value', () => {
    const rows = formatRows(
      {
        embedding: { type: 'float32', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
        score: { type: 'float32', dims: [2], data: Float32Array.from([0.5, 0.25]) },
      },
      2,
    );
    expect(rows[1]).toEqual({ probabilities: [0.25], outputs: { embedding: [3, 4] } });
  });
});
