import { seededBinomial, seededUniform } from '../../../../test/support/seeded-random';
import { analyzeExperiment, Decision } from './analyze';
import { twoProportionZTest } from './fixed-horizon';
import { sequentialHorizonPerArm } from './planning';

// Monte-Carlo checks of issue 22's "Tests and figures". Outcomes are exact Bernoulli sums: each look adds a
// Binomial(100, p) draw per arm, sampled exactly by CDF inversion (test/support/seeded-random.ts), no normal shortcut.
const EXPERIMENTS = 1000;
const LOOK_EVERY = 100;
const ALPHA = 0.05;

interface Run {
  msprt: Decision;
  naiveRejected: boolean;
}

function simulate(seed: number, pControl: number, pTreatment: number, mde: number, horizon: number): Run[] {
  const uniform = seededUniform(seed);
  const drawControl = seededBinomial(uniform, LOOK_EVERY, pControl);
  const drawTreatment = seededBinomial(uniform, LOOK_EVERY, pTreatment);
  const runs: Run[] = [];
  for (let e = 0; e < EXPERIMENTS; e++) {
    let xA = 0;
    let xB = 0;
    let previousPValue = 1;
    let decision: Decision = 'continue';
    let naiveRejected = false;
    for (let n = LOOK_EVERY; n <= horizon; n += LOOK_EVERY) {
      xA += drawControl();
      xB += drawTreatment();
      const control = { n, successes: xA };
      const treatment = { n, successes: xB };
      const test = twoProportionZTest(control, treatment);
      if (test && test.pValue < ALPHA) naiveRejected = true;
      if (decision === 'continue') {
        const look = analyzeExperiment({
          metric: { kind: 'proportion', direction: 'increase' },
          minimumDetectableEffect: mde,
          alpha: ALPHA,
          minSamplesPerVariant: LOOK_EVERY,
          variants: [
            { name: 'control', weight: 50, units: n, outcomes: control },
            { name: 'treatment', weight: 50, units: n, outcomes: treatment, previousPValue },
          ],
        });
        decision = look.decision;
        previousPValue = look.variants[1].alwaysValidPValue ?? 1;
      }
      if (decision !== 'continue' && naiveRejected) break;
    }
    runs.push({ msprt: decision, naiveRejected });
  }
  return runs;
}

describe('simulated experiments', () => {
  it('should keep the mSPRT false-positive rate within alpha + 1 pp when 1,000 A/A experiments are peeked at every 100 samples, while the naive z test peeked the same way goes far above alpha', () => {
    // 5,000 units per arm, 50 looks, p = 0.5 in both arms, τ from an MDE of 2 pp (horizon kept short for CI time).
    const runs = simulate(20261206, 0.5, 0.5, 0.02, 5_000);
    const msprtRate = runs.filter((r) => r.msprt === 'winner' || r.msprt === 'loser').length / EXPERIMENTS;
    const naiveRate = runs.filter((r) => r.naiveRejected).length / EXPERIMENTS;
    expect(msprtRate).toBeLessThanOrEqual(ALPHA + 0.01);
    expect(naiveRate).toBeGreaterThan(4 * ALPHA);
  });

  it('should find a true lift of the planned size in at least 80% of 1,000 runs when looking every 100 samples up to the planned horizon', () => {
    // p 0.50 → 0.55 (MDE 5 pp); the mSPRT horizon for power 0.8 is 3,027 per arm (planning.spec.ts), rounded up to
    // the look grid: 3,100 per arm, 31 looks.
    const planned = sequentialHorizonPerArm({
      controlVariance: 0.25,
      treatmentVariance: 0.55 * 0.45,
      minimumDetectableEffect: 0.05,
      alpha: ALPHA,
    });
    const horizon = Math.ceil(planned / LOOK_EVERY) * LOOK_EVERY;
    const runs = simulate(7, 0.5, 0.55, 0.05, horizon);
    const found = runs.filter((r) => r.msprt === 'winner').length / EXPERIMENTS;
    const wrongWay = runs.filter((r) => r.msprt === 'loser').length;
    expect(found).toBeGreaterThanOrEqual(0.8);
    expect(wrongWay).toBe(0);
  });
});
