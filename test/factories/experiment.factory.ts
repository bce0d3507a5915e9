import { TestApp } from '../support/test-app';

/** A valid experiment body on `model` with two variants by version (1 control, 2 treatment), 50/50. */
export function experimentBody(model: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `exp on ${model}`,
    model,
    variants: [
      { name: 'control', version: 1, weight: 50 },
      { name: 'treatment', version: 2, weight: 50 },
    ],
    primaryMetric: { name: 'conversion', kind: 'proportion', direction: 'increase' },
    minimumDetectableEffect: 0.02,
    minSamplesPerVariant: 100,
    ...overrides,
  };
}

export interface ExperimentBody {
  id: string;
  status: string;
  variants: Array<{ name: string; version: number; weight: number; buckets: number }>;
  [field: string]: unknown;
}

/** Creates an experiment through the API and expects 201. */
export async function createExperiment(
  t: TestApp,
  headers: { authorization: string },
  model: string,
  overrides: Record<string, unknown> = {},
): Promise<ExperimentBody> {
  const res = await t.http.post('/api/v1/experiments').set(headers).send(experimentBody(model, overrides));
  if (res.status !== 201) throw new Error(`createExperiment: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ExperimentBody;
}
