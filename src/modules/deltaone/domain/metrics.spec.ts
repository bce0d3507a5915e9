import { computeMetric, MetricUnavailableError } from './metrics';
import { ClassOutcomes, NumericOutcomes } from './outcomes';

// Reference values from scikit-learn 1.x (roc_auc_score, f1_score, precision_score, recall_score, log_loss) on
// these inputs, predicted class = score ≥ 0.5.
const labels = Int32Array.from([1, 0, 1, 1, 0, 0, 1, 0, 1, 0]);
const scores = Float64Array.from([0.9, 0.3, 0.6, 0.4, 0.5, 0.2, 0.7, 0.6, 0.35, 0.1]);

function classes(): ClassOutcomes {
  return {
    kind: 'classes',
    labels,
    predicted: Int32Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
    positiveScore: scores,
    trueProb: Float64Array.from(scores, (s, i) => (labels[i] === 1 ? s : 1 - s)),
  };
}

describe('computeMetric', () => {
  it('should match scikit-learn when the metric is a classification metric', () => {
    const o = classes();
    expect(computeMetric('accuracy', o)).toMatchObject({ bps: 6000, ratio: { numerator: 6, denominator: 10 } });
    expect(computeMetric('precision', o).bps).toBe(6000); // 0.6
    expect(computeMetric('recall', o).bps).toBe(6000); // 0.6
    expect(computeMetric('f1', o).bps).toBe(6000); // 0.6
    expect(computeMetric('auroc', o)).toMatchObject({ bps: 8200, value: 0.82 }); // roc_auc_score 0.82
    expect(computeMetric('logloss', o).bps).toBe(5234); // log_loss 0.5233590863080251
  });

  it('should share the ranks of tied scores when computing auroc', () => {
    const o: ClassOutcomes = {
      ...classes(),
      labels: Int32Array.from([1, 0, 1, 0]),
      predicted: Int32Array.from([1, 1, 1, 0]),
      positiveScore: Float64Array.from([0.5, 0.5, 0.9, 0.1]),
    };
    // Pairs (pos, neg): (0.5,0.5) = ½, (0.5,0.1) = 1, (0.9,0.5) = 1, (0.9,0.1) = 1 → 3.5 / 4.
    expect(computeMetric('auroc', o)).toMatchObject({ bps: 8750, ratio: { numerator: 7, denominator: 8 } });
  });

  it('should compute mae and rmse when the labels are numeric', () => {
    const o: NumericOutcomes = {
      kind: 'numeric',
      labels: Float64Array.from([1, 2, 3, 4]),
      predicted: Float64Array.from([1.5, 2, 2, 4.5]),
    };
    expect(computeMetric('mae', o).bps).toBe(5000); // (0.5 + 0 + 1 + 0.5) / 4
    expect(computeMetric('rmse', o).bps).toBe(6124); // sqrt(1.5 / 4) = 0.61237…
  });

  it('should score 0 when precision has no positive prediction', () => {
    const o: ClassOutcomes = { ...classes(), predicted: new Int32Array(10) };
    expect(computeMetric('precision', o)).toMatchObject({ bps: 0, ratio: { numerator: 0, denominator: 0 } });
  });

  it('should refuse auroc when the model outputs no probabilities', () => {
    expect(() => computeMetric('auroc', { ...classes(), positiveScore: null })).toThrow(MetricUnavailableError);
    expect(() =>
      computeMetric('accuracy', { kind: 'numeric', labels: new Float64Array(1), predicted: new Float64Array(1) }),
    ).toThrow(MetricUnavailableError);
  });
});
