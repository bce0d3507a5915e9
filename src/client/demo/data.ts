import { buildTrainingJob, gaussian, mulberry32, runTrainingJob } from 'src/modules/training';

export type Row = Record<string, number | string>;
export const FEATURES = ['f0', 'f1', 'f2', 'f3'];
export const LABEL = 'label';

/** The rule the world follows: class 1 when f0 + f1 > 0. */
export const truth = (r: Record<string, number>): number => (r.f0 + r.f1 > 0 ? 1 : 0);
/** What the small first training set believes instead: its labels follow f2, which says nothing. */
export const skewed = (r: Record<string, number>): number => (r.f2 > 0 ? 1 : 0);

/** `n` rows of four gaussian features, deterministic in `seed`, labelled by `label`. */
export function rows(n: number, seed: number, label: (r: Record<string, number>) => number): Row[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const r = Object.fromEntries(FEATURES.map((f) => [f, Math.round(gaussian(random) * 1e4) / 1e4]));
    return { ...r, [LABEL]: label(r) };
  });
}

export const jsonl = (data: Row[]): string => data.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** The share of rows a predicted label gets right. */
export const accuracy = (data: Row[], predicted: number[]): number =>
  data.filter((r, i) => r[LABEL] === predicted[i]).length / data.length;

/**
 * A logistic regression trained on `data` with the platform's own trainer (the code the server's training runs
 * use, run here on this thread), exported to ONNX and verified against onnxruntime.
 */
export async function trainLocally(data: Row[]): Promise<{ onnx: Uint8Array; validation: Record<string, number> }> {
  const x = Float32Array.from(data.flatMap((r) => FEATURES.map((f) => Number(r[f]))));
  const y = Float64Array.from(data.map((r) => Number(r[LABEL])));
  const job = buildTrainingJob('logistic_regression', {}, 0, { x, y, rows: data.length, features: FEATURES.length });
  const result = await runTrainingJob(job);
  return { onnx: result.onnx, validation: { ...result.metrics.validation } };
}
