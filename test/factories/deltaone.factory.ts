import { randomBytes, randomUUID } from 'node:crypto';
import type { AcceptedDeltaOne } from 'src/modules/deltaone';

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
