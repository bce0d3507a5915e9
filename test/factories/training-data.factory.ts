import { gaussian, mulberry32, TrainingData } from 'src/modules/training';

export interface SyntheticOptions {
  rows: number;
  features: number;
  /** 0 for a regression target, else the number of classes. */
  classes: number;
  seed?: number;
  /** Added to every feature (tests the float32 rounding of the standardiser). */
  offset?: number;
}

/**
 * Seeded rows with signal: features are N(offset, 1); a class is the argmax of a random linear score plus noise,
 * a target is a linear function plus noise.
 */
export function syntheticTrainingData(o: SyntheticOptions): TrainingData {
  const random = mulberry32(o.seed ?? 1);
  const k = Math.max(1, o.classes);
  const coef = Array.from({ length: o.features * k }, () => gaussian(random));
  const x = new Float32Array(o.rows * o.features);
  const y = new Float64Array(o.rows);
  for (let r = 0; r < o.rows; r++) {
    const score = new Array<number>(k).fill(0);
    for (let j = 0; j < o.features; j++) {
      const v = gaussian(random);
      x[r * o.features + j] = v + (o.offset ?? 0);
      for (let c = 0; c < k; c++) score[c] += v * coef[j * k + c];
    }
    for (let c = 0; c < k; c++) score[c] += 1.5 * gaussian(random);
    y[r] = o.classes === 0 ? score[0] + 10 : score.indexOf(Math.max(...score));
  }
  return { x, rows: o.rows, features: o.features, y };
}
