import { gaussian, mulberry32 } from './prng';
import { trainModel } from './train';
import { allocateTrainingData, TrainingJob } from './types';

const ROWS = 2000;
const FEATURES = 8;

function generated(classes: number): TrainingJob['data'] {
  const random = mulberry32(1 + classes);
  const data = allocateTrainingData(ROWS, FEATURES);
  const score = new Float64Array(Math.max(1, classes));
  for (let r = 0; r < ROWS; r++) {
    score.fill(0);
    for (let j = 0; j < FEATURES; j++) {
      const v = gaussian(random);
      data.x[r * FEATURES + j] = v + j;
      for (let c = 0; c < score.length; c++) score[c] += v * Math.sin(1 + j + 7 * c);
    }
    let best = 0;
    for (let c = 0; c < score.length; c++) {
      score[c] += gaussian(random);
      if (score[c] > score[best]) best = c;
    }
    data.y[r] = classes === 0 ? score[0] : best;
  }
  return data;
}

/**
 * Trains logistic regression (2 and 3 classes) and ridge once on 2,000 generated rows, so that V8 has compiled the
 * trainers' loops before the first real job: run cold, that job spends its one-pass loops (split, standardiser,
 * metrics) in the interpreter and baseline tiers and the WebAssembly kernel in its baseline tier (measured at
 * 40-160 ms of CPU on 100,000 × 20 rows before the kernel). The warm worker (one per process) pays this once, when it starts; the arrays are
 * shared-memory ones like the jobs', so the compiled code sees the same array kinds. The MLP is left cold (its
 * epochs are long enough to warm up within the job). Never fails the worker: a warm-up error is ignored.
 */
export function warmUpTrainers(): void {
  try {
    for (const classes of [2, 3, 0]) {
      const data = generated(classes);
      const l2 = 1 / ROWS;
      const job: TrainingJob =
        classes === 0
          ? { family: 'linear_regression', hyperparameters: { l2, validationFraction: 0.2 }, seed: 1, data }
          : {
              family: 'logistic_regression',
              hyperparameters: { l2, validationFraction: 0.2, maxIterations: 100 },
              seed: 1,
              data,
            };
      trainModel(job);
    }
  } catch {
    // Only a warm-up: the job that follows reports its own errors.
  }
}
