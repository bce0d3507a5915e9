import { analyzeExperiment, ExperimentInput, VariantData } from './analyze';

function input(variants: VariantData[], overrides: Partial<ExperimentInput> = {}): ExperimentInput {
  return {
    metric: { kind: 'proportion', direction: 'increase' },
    minimumDetectableEffect: 0.02,
    alpha: 0.05,
    minSamplesPerVariant: 500,
    guardrails: [{ metric: 'error_rate', max: 0.05 }],
    variants,
    ...overrides,
  };
}

const arm = (name: string, n: number, successes: number, extra: Partial<VariantData> = {}): VariantData => ({
  name,
  weight: 50,
  units: n,
  outcomes: { n, successes },
  ...extra,
});

describe('analyzeExperiment', () => {
  it('should continue when a variant is below minSamplesPerVariant, whatever the data say', () => {
    const r = analyzeExperiment(input([arm('control', 400, 100), arm('b', 400, 300)]));
    expect(r.decision).toBe('continue');
    expect(r.variants[1].reasons[0].code).toBe('min_samples_not_reached');
    expect(r.variants[1].alwaysValid).toBeNull();
    expect(r.variants[1].fixedHorizon?.validity).toBe('valid only at the planned sample size');
  });

  it('should declare a promotable winner when the always-valid p is below alpha in the wanted direction', () => {
    const r = analyzeExperiment(input([arm('control', 5000, 2500), arm('b', 5000, 2800)]));
    expect(r.decision).toBe('winner');
    expect(r.winner).toBe('b');
    expect(r.promotable).toBe(true);
    expect(r.variants[1].alwaysValidPValue).toBeLessThan(0.05);
    expect(r.variants[1].reasons[0].code).toBe('significantly_better');
  });

  it('should declare a loser when the treatment is significantly better on a metric that should decrease', () => {
    const r = analyzeExperiment(
      input([arm('control', 5000, 2500), arm('b', 5000, 2800)], {
        metric: { kind: 'proportion', direction: 'decrease' },
      }),
    );
    expect(r.decision).toBe('loser');
    expect(r.promotable).toBe(false);
  });

  it('should stay significant when an earlier look already crossed alpha (running minimum)', () => {
    const r = analyzeExperiment(input([arm('control', 5000, 2500), arm('b', 5000, 2520, { previousPValue: 0.01 })]));
    expect(r.variants[1].alwaysValidPValue).toBe(0.01);
    expect(r.decision).toBe('winner');
  });

  it('should block promotion with a sample-ratio mismatch when units do not follow the weights', () => {
    const r = analyzeExperiment(
      input([arm('control', 5000, 2500, { units: 5300 }), arm('b', 5000, 2800, { units: 4700 })]),
    );
    expect(r.sampleRatio.flagged).toBe(true);
    expect(r.decision).toBe('inconclusive');
    expect(r.promotable).toBe(false);
    expect(r.reasons[0].code).toBe('sample_ratio_mismatch');
  });

  it('should make a treatment a loser at once when it breaches a guardrail, before its minimum samples', () => {
    const r = analyzeExperiment(
      input([
        arm('control', 100, 50, { serving: { requests: 100, errors: 1, latencyP95Ms: 20 } }),
        arm('b', 100, 50, { serving: { requests: 100, errors: 30, latencyP95Ms: 20 } }),
      ]),
    );
    expect(r.variants[1].decision).toBe('loser');
    expect(r.variants[1].reasons[0].code).toBe('guardrail_breached');
    expect(r.decision).toBe('loser');
  });

  it('should be inconclusive when the planned horizon is reached without a significant difference', () => {
    const r = analyzeExperiment(
      input([arm('control', 5000, 2500), arm('b', 5000, 2510)], { maxSamplesPerVariant: 5000 }),
    );
    expect(r.decision).toBe('inconclusive');
    expect(r.variants[1].reasons[0].code).toBe('horizon_reached');
  });

  it('should split alpha over the treatments and pick the best winner when there are two treatments', () => {
    const r = analyzeExperiment(
      input([arm('control', 6000, 3000), arm('b', 6000, 3300), arm('c', 6000, 3450)], {
        minimumDetectableEffect: 0.03,
      }),
    );
    expect(r.alphaPerComparison).toBeCloseTo(0.025, 15);
    expect(r.decision).toBe('winner');
    expect(r.winner).toBe('c');
  });

  it('should analyze a continuous metric with the Welch test and t intervals', () => {
    const r = analyzeExperiment({
      metric: { kind: 'continuous', direction: 'increase' },
      minimumDetectableEffect: 0.3,
      alpha: 0.05,
      minSamplesPerVariant: 100,
      variants: [
        { name: 'control', weight: 1, units: 400, outcomes: { n: 400, mean: 10, variance: 4 } },
        { name: 'b', weight: 1, units: 380, outcomes: { n: 380, mean: 10.6, variance: 5 } },
      ],
    });
    expect(r.variants[1].fixedHorizon?.test).toBe('welch_t');
    expect(r.variants[0].summary.intervalMethod).toBe('t');
    // Same numbers as msprt.spec.ts (numpy reference): p 0.004567426320005237.
    expect(r.variants[1].alwaysValidPValue).toBeCloseTo(0.004567426320005237, 13);
    expect(r.decision).toBe('winner');
  });

  it('should refuse outcomes of the wrong kind for the metric', () => {
    expect(() =>
      analyzeExperiment({
        ...input([arm('control', 10, 5), arm('b', 10, 5)]),
        metric: { kind: 'continuous', direction: 'increase' },
      }),
    ).toThrow(TypeError);
  });
});
