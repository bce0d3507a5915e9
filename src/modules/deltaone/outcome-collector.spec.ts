import { columnsOf, RowPrediction } from 'src/modules/inference';
import { DeltaOneError } from './deltaone.errors';
import { OutcomeCollector, packOutcomes } from './outcome-collector';

describe('OutcomeCollector', () => {
  it('should use integer labels as class indexes and read the probabilities when the model outputs both', () => {
    const c = new OutcomeCollector('classes');
    c.add(
      [1, 0, true],
      [
        { label: 1, probabilities: [0.2, 0.8] },
        { label: 1, probabilities: [0.4, 0.6] },
        { label: 0, probabilities: [0.7, 0.3] },
      ],
      [
        { label: 1, probabilities: [0.1, 0.9] },
        { label: 0, probabilities: [0.9, 0.1] },
        { label: 1, probabilities: [0.3, 0.7] },
      ],
    );
    const [b, k] = c.outcomes();
    if (b.kind !== 'classes' || k.kind !== 'classes') throw new Error('classes expected');
    expect(Array.from(b.labels)).toEqual([1, 0, 1]);
    expect(Array.from(b.predicted)).toEqual([1, 1, 0]);
    expect(Array.from(k.predicted)).toEqual([1, 0, 1]);
    expect(Array.from(b.positiveScore!)).toEqual([0.8, 0.6, 0.3]);
    expect(Array.from(k.trueProb!)).toEqual([0.9, 0.9, 0.7]);
  });

  it('should index string labels in sorted order when the labels are not integers', () => {
    const c = new OutcomeCollector('classes');
    c.add(['yes', 'no'], [{ label: 'yes' }, { label: 'yes' }], [{ label: 'yes' }, { label: 'no' }]);
    const [b, k] = c.outcomes();
    expect(Array.from(b.labels)).toEqual([1, 0]);
    expect(Array.from(b.predicted)).toEqual([1, 1]);
    expect(Array.from(k.predicted)).toEqual([1, 0]);
    if (b.kind === 'classes') expect(b.positiveScore).toBeNull();
  });

  it('should take the most probable class when the model outputs no label', () => {
    const c = new OutcomeCollector('classes');
    c.add([0], [{ probabilities: [0.6, 0.4] }], [{ probabilities: [0.3, 0.7] }]);
    const [b, k] = c.outcomes();
    expect([b.predicted[0], k.predicted[0]]).toEqual([0, 1]);
  });

  it('should refuse a regressor row without a number when the labels are numeric', () => {
    const c = new OutcomeCollector('numeric');
    expect(() => c.add([1.5], [{ outputs: { x: 'a' } }], [{ value: 1 }])).toThrow(DeltaOneError);
  });

  it('should pack predictions and probabilities as Float64 arrays when stored', () => {
    const c = new OutcomeCollector('numeric');
    c.add([1, 2], [{ value: 1.5 }, { value: 2 }], [{ value: 1 }, { value: 2.5 }]);
    const [b] = c.outcomes();
    const packed = packOutcomes(b);
    expect(Array.from(new Float64Array(packed.labels.buffer, packed.labels.byteOffset, 2))).toEqual([1, 2]);
    expect(Array.from(new Float64Array(packed.version.buffer, packed.version.byteOffset, 2))).toEqual([1.5, 2]);
  });
});

describe('OutcomeCollector columns', () => {
  const both = (labels: unknown[], b: RowPrediction[], c: RowPrediction[], kind: 'classes' | 'numeric' = 'classes') => {
    const rows = new OutcomeCollector(kind);
    rows.add(labels, b, c);
    const cols = new OutcomeCollector(kind);
    cols.addColumns(labels, columnsOf(b), columnsOf(c));
    return [rows.outcomes(), cols.outcomes()];
  };

  it('should give the outcomes of the rows when the predictions come as columns', () => {
    const [rows, cols] = both(
      [1, 0, true, 2],
      [
        { label: 1, probabilities: [0.2, 0.8, 0] },
        { label: 2, probabilities: [0.4, 0.1, 0.5] },
        { label: 0, probabilities: [0.7, 0.3, 0] },
        { label: 1, probabilities: [0.1, 0.6, 0.3] },
      ],
      [
        { probabilities: [0.1, 0.9] },
        { probabilities: [0.9, 0.1] },
        { probabilities: [0.5, 0.5] },
        { probabilities: [NaN, 1] },
      ],
    );
    expect(cols).toEqual(rows);
    // A NaN probability has no argmax (-1, as indexOf(Math.max(...)) gives): the classes are then sorted as text.
    const [, cand] = cols;
    if (cand.kind !== 'classes') throw new Error('classes expected');
    expect(Array.from(cand.labels)).toEqual([2, 1, 2, 3]);
    expect(Array.from(cand.predicted)).toEqual([2, 1, 1, 0]);
    expect(Array.from(cand.positiveScore!)).toEqual([0.9, 0.1, 0.5, 1]);
    expect(Array.from(cand.trueProb!)).toEqual([0, 0.1, 0, 0]);
  });

  it('should index string classes in sorted order when the columns hold class names', () => {
    const [rows, cols] = both(
      ['cat', 'dog', 'ant'],
      [{ label: 'dog' }, { label: 'dog' }, { label: 'ant' }],
      [{ label: 'cat' }, { label: 'dog' }, { label: 'cat' }],
    );
    expect(cols).toEqual(rows);
    expect(Array.from(cols[0].labels)).toEqual([1, 2, 0]);
  });

  it('should read a regressor value when the columns hold values', () => {
    const [rows, cols] = both([1.5, 2], [{ value: 1 }, { value: 2.5 }], [{ label: 3 }, { value: -1 }], 'numeric');
    expect(cols).toEqual(rows);
  });
});
