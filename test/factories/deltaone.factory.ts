import { randomBytes, randomUUID } from 'node:crypto';
import type { AcceptedDeltaOne } from 'src/modules/deltaone';
import { InferenceService } from 'src/modules/inference';
import { CreatedKey } from './api-key.factory';
import { createModel, createVersion, features16, LOGREG, MLP } from './model.factory';
import { TestApp } from '../support/test-app';

export type Row = Record<string, unknown>;

/** `n` rows of 16 float features (deterministic in `seed`), without a label. */
export function featureRows(n: number, seed = 1): Row[] {
  return Array.from({ length: n }, (_, r) =>
    Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin((r + seed * 7919) * 13 + i)])),
  );
}

export const jsonl = (rows: Row[]): Buffer => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

/**
 * A classifier model with two versions: 1 = logistic regression (production), 2 = the MLP. Labels made from
 * version 2's own predictions make the candidate right on every row, so the outcome of a decision is known.
 */
export async function modelWithTwoVersions(
  t: TestApp,
  key: CreatedKey,
  candidateMetadata: object = {},
): Promise<string> {
  const name = (await createModel(t, key.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
  await createVersion(t, name, LOGREG, { features: features16() }, key.headers);
  await t.http.post(`/api/v1/models/${name}/promote`).set(key.headers).send({ version: 1 }).expect(200);
  await createVersion(t, name, MLP, { features: features16(), ...candidateMetadata }, key.headers);
  return name;
}

/** Rows labelled with what `version` predicts for them. */
export async function labelledBy(t: TestApp, name: string, version: number, rows: Row[]): Promise<Row[]> {
  const predictions = await t.app.get(InferenceService).scoreRows(name, version, rows);
  return rows.map((r, i) => ({ ...r, label: predictions[i].label }));
}

/** Uploads a benchmark (JSONL) and returns its id and hash. */
export async function uploadBenchmark(
  t: TestApp,
  key: CreatedKey,
  name: string,
  rows: Row[],
): Promise<{ id: string; hash: string }> {
  const res = await t.http
    .post(`/api/v1/models/${name}/datasets`)
    .set(key.headers)
    .field('kind', 'benchmark')
    .attach('file', jsonl(rows), 'bench.jsonl');
  if (res.status !== 201) throw new Error(`uploadBenchmark: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; hash: string };
}

/** An accepted DeltaOne as the deltaone module hands it to rewards (the `rewards.award` job's data). */
export function acceptedDeltaOne(
  model: { id: string; name: string; tokenId: string },
  candidate: { version: number; sha256: string; versionId?: string },
  overrides: Partial<AcceptedDeltaOne> = {},
): AcceptedDeltaOne {
  return {
    evaluationId: randomUUID(),
    modelId: model.id,
    modelName: model.name,
    tokenId: model.tokenId,
    metric: 'accuracy',
    direction: 'higher',
    benchmark: { datasetId: randomUUID(), hash: `sha256:${randomBytes(32).toString('hex')}` },
    baseline: { versionId: randomUUID(), version: 1, sha256: randomBytes(32).toString('hex'), metricBps: 8500 },
    candidate: { versionId: candidate.versionId ?? randomUUID(), metricBps: 8650, ...candidate },
    deltaBps: 150,
    n: 2000,
    statistics: { test: 'mcnemar-exact', b: 40, c: 70, pValue: 0.0054 },
    decidedAt: new Date().toISOString(),
    ...overrides,
  };
}
