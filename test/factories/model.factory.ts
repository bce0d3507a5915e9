import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestApp } from '../support/test-app';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'registry');
export const LOGREG = join(FIXTURES, 'logreg-16.onnx');
export const MLP = join(FIXTURES, 'mlp-16.onnx');

export const features16 = (): Array<{ name: string; type: 'float' }> =>
  Array.from({ length: 16 }, (_, i) => ({ name: `f${i}`, type: 'float' as const }));

/** The parts of API answers the tests read. */
export interface ModelBody {
  id: string;
  name: string;
  tokenId: string;
  metricDirection: string;
  [field: string]: unknown;
}

export interface VersionBody {
  version: number;
  sha256: string;
  [field: string]: unknown;
}

export interface ModelOverrides {
  name?: string;
  tokenId?: string;
  description?: string;
  benchmarkMetric?: string;
  metricDirection?: string;
  benchmarkValue?: number;
  labelColumn?: string;
  labelKind?: string;
  tags?: string[];
  visibility?: string;
}

/** Registers a model through the API (a fresh name and token id unless given) and returns its body. */
export async function createModel(
  t: TestApp,
  headers: { authorization: string } = t.admin,
  overrides: ModelOverrides = {},
): Promise<ModelBody> {
  const suffix = randomBytes(4).toString('hex');
  const res = await t.http
    .post('/api/v1/models')
    .set(headers)
    .send({
      name: `model-${suffix}`,
      tokenId: `TK-${suffix}`,
      benchmarkMetric: 'accuracy',
      benchmarkValue: 0.8,
      ...overrides,
    });
  if (res.status !== 201) throw new Error(`createModel: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ModelBody;
}

/** Uploads a version through the API (multipart: `file` and `metadata`); returns the raw response. */
export function uploadVersion(
  t: TestApp,
  name: string,
  file: string | Buffer = LOGREG,
  metadata: object | string | undefined = {},
  headers: { authorization: string } = t.admin,
) {
  const req = t.http.post(`/api/v1/models/${name}/versions`).set(headers);
  if (metadata !== undefined) req.field('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata));
  return typeof file === 'string' ? req.attach('file', file) : req.attach('file', file, 'model.onnx');
}

/** Uploads and expects 201; returns the version body. */
export async function createVersion(
  t: TestApp,
  name: string,
  file: string | Buffer = LOGREG,
  metadata: object = {},
  headers: { authorization: string } = t.admin,
): Promise<VersionBody> {
  const res = await uploadVersion(t, name, file, metadata, headers);
  if (res.status !== 201) throw new Error(`createVersion: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as VersionBody;
}

/**
 * The fixture's bytes with its producer name changed to random characters of the same length: still a valid
 * ONNX model, with a sha256 no other upload has.
 */
export function uniqueModel(file: string = LOGREG): Buffer {
  const bytes = Buffer.from(readFileSync(file));
  const at = bytes.indexOf('registry');
  if (at < 0) throw new Error(`${file} has no producer name to vary`);
  bytes.write(randomBytes(4).toString('hex'), at, 'latin1');
  return bytes;
}

/** Downloads a version's artifact as raw bytes (the body is in `res.body`, a Buffer). */
export function downloadArtifact(
  t: TestApp,
  name: string,
  version: number,
  headers: { authorization: string } = t.admin,
) {
  return t.http
    .get(`/api/v1/models/${name}/versions/${version}/artifact`)
    .set(headers)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
}
