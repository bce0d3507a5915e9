import { gaussian, mulberry32, startTraining, buildTrainingJob } from 'src/modules/training';
import { CreatedKey } from './api-key.factory';
import { createModel, createVersion } from './model.factory';
import { TestApp } from '../support/test-app';

export type Row = Record<string, number>;
export const FEATURES = ['f0', 'f1', 'f2', 'f3'];
export const featureSchema = () => FEATURES.map((name) => ({ name, type: 'float' as const }));

/** The rule the world follows: class 1 when f0 + f1 > 0. */
export const truth = (r: Row): number => (r.f0 + r.f1 > 0 ? 1 : 0);
/** What a skewed base set believes instead. */
export const skewed = (r: Row): number => (r.f2 > 0 ? 1 : 0);

/** `n` rows of 4 gaussian features (deterministic in `seed`), labelled by `label` (a function or random). */
export function trainingRows(n: number, seed: number, label: ((r: Row) => number) | 'noise' = truth): Row[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const r: Row = Object.fromEntries(FEATURES.map((f) => [f, Math.round(gaussian(random) * 1e4) / 1e4]));
    return { ...r, label: label === 'noise' ? (random() < 0.5 ? 0 : 1) : label(r) };
  });
}

export const jsonl = (rows: Row[]): Buffer => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

/** An ONNX logistic regression trained (by the server's own trainer) on `rows`. */
export async function trainedOnnx(rows: Row[], seed = 0): Promise<Buffer> {
  const x = Float32Array.from(rows.flatMap((r) => FEATURES.map((f) => r[f])));
  const y = Float64Array.from(rows.map((r) => r.label));
  const job = buildTrainingJob('logistic_regression', {}, seed, { x, y, rows: rows.length, features: FEATURES.length });
  return Buffer.from((await startTraining(job).result).onnx);
}

export async function uploadDataset(
  t: TestApp,
  key: CreatedKey,
  name: string,
  kind: 'training' | 'benchmark',
  rows: Row[],
): Promise<{ id: string; hash: string }> {
  const res = await t.http
    .post(`/api/v1/models/${name}/datasets`)
    .set(key.headers)
    .field('kind', kind)
    .attach('file', jsonl(rows), `${kind}.jsonl`);
  if (res.status !== 201) throw new Error(`uploadDataset: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; hash: string };
}

/**
 * A classifier (accuracy, label column `label`) whose production v1 was trained on `base`, with `base` uploaded
 * as its training dataset (unless empty) and contributions accepted whatever their quality score.
 */
export async function modelTrainedOn(t: TestApp, owner: CreatedKey, base: Row[]): Promise<string> {
  const name = (await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
  // With no base set, v1 is trained on rows the model is never given (it has no training data).
  const v1 = await trainedOnnx(base.length > 0 ? base : trainingRows(20, 999));
  await createVersion(t, name, v1, { features: featureSchema() }, owner.headers);
  await t.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
  if (base.length > 0) await uploadDataset(t, owner, name, 'training', base);
  await t.http
    .put(`/api/v1/models/${name}/contribution-settings`)
    .set(owner.headers)
    .send({ minQuality: 0 })
    .expect(200);
  return name;
}

export async function contribute(
  t: TestApp,
  key: CreatedKey,
  name: string,
  walletAddress: string,
  rows: Row[],
): Promise<string> {
  const res = await t.http
    .post(`/api/v1/models/${name}/contributions`)
    .set(key.headers)
    .send({ rows, contributor: { walletAddress } });
  if (res.status !== 201 || res.body.status !== 'accepted') {
    throw new Error(`contribute: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.id as string;
}
