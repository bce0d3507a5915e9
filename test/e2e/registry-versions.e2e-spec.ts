import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import {
  downloadArtifact,
  createModel,
  createVersion,
  features16,
  LOGREG,
  MLP,
  uniqueModel,
  uploadVersion,
} from '../factories/model.factory';
import { filesUnder, makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('registry: versions', () => {
  let t: TestApp;
  let dir: { path: string; remove: () => void };
  let alice: CreatedKey;
  let bob: CreatedKey;
  let ds: DataSource;

  beforeAll(async () => {
    dir = makeTempDir('reg-versions-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path, MAX_ARTIFACT_MB: '1' } });
    ds = t.app.get(DataSource);
    alice = await createApiKey(t, { owner: 'alice', scopes: ['models:read', 'models:write'] });
    bob = await createApiKey(t, { owner: 'bob', scopes: ['models:read', 'models:write'] });
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const versionCount = async (name: string): Promise<number> => {
    const [{ n }] = await ds.query(
      'SELECT count(*)::int AS n FROM model_versions v JOIN models m ON m.id = v."modelId" WHERE m.name = $1',
      [name],
    );
    return n;
  };
  const objects = () => filesUnder(join(dir.path, 'objects'));
  const staging = () => filesUnder(join(dir.path, 'tmp'));

  it('should store the artifact and record sha256, size and signature when a valid ONNX file is uploaded', async () => {
    const m = await createModel(t, alice.headers);
    const bytes = readFileSync(LOGREG);
    const res = await uploadVersion(
      t,
      m.name,
      LOGREG,
      {
        description: 'baseline',
        metrics: { accuracy: 0.81 },
        datasetHash: 'sha256:abc',
        runId: 'run-1',
        contributionIds: ['c1', 'c2'],
        tags: ['baseline'],
        features: features16(),
      },
      alice.headers,
    ).expect(201);
    expect(res.body).toMatchObject({
      modelName: m.name,
      version: 1,
      status: 'READY',
      description: 'baseline',
      metrics: { accuracy: 0.81 },
      datasetHash: 'sha256:abc',
      runId: 'run-1',
      parentVersion: null,
      contributionIds: ['c1', 'c2'],
      tags: ['baseline'],
      features: features16(),
      sha256: sha(bytes),
      sizeBytes: bytes.length,
      createdBy: 'alice',
      aliases: [],
      signature: {
        inputs: [{ name: 'input', type: 'float32', shape: [-1, 16] }],
        outputs: [
          { name: 'label', type: 'int64', shape: [-1] },
          { name: 'probabilities', type: 'float32', shape: [-1, 2] },
        ],
      },
    });
    expect(objects()).toContain(join('sha256', sha(bytes).slice(0, 2), `${sha(bytes)}.onnx`));
    expect(staging()).toEqual([]);
    const [event] = await ds.query(`SELECT * FROM events WHERE type = 'model.version.created' AND "modelName" = $1`, [
      m.name,
    ]);
    expect(event.data).toMatchObject({ version: 1, sha256: sha(bytes), contributionIds: ['c1', 'c2'] });
    const model = await t.http.get(`/api/v1/models/${m.name}`).set(alice.headers).expect(200);
    expect(model.body.latestVersion).toBe(1);
  });

  it('should give ten concurrent uploads the versions 1 to 10 exactly', async () => {
    const m = await createModel(t, alice.headers);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => uploadVersion(t, m.name, i % 2 ? MLP : LOGREG, {}, alice.headers)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(results.map((r) => r.body.version).sort((a: number, b: number) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const rows = await ds.query(
      'SELECT v.version FROM model_versions v JOIN models m ON m.id = v."modelId" WHERE m.name = $1 ORDER BY 1',
      [m.name],
    );
    expect(rows.map((r: { version: number }) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('should answer 400 ARTIFACT_EMPTY and keep nothing when the file is empty', async () => {
    const m = await createModel(t, alice.headers);
    const before = objects();
    const res = await uploadVersion(t, m.name, Buffer.alloc(0), {}, alice.headers).expect(400);
    expect(res.body).toMatchObject({ code: 'ARTIFACT_EMPTY', errors: [{ field: 'file' }] });
    expect(await versionCount(m.name)).toBe(0);
    expect(objects()).toEqual(before);
    expect(staging()).toEqual([]);
  });

  it('should answer 422 INVALID_ONNX_MODEL and keep nothing when the file is not an ONNX model', async () => {
    const m = await createModel(t, alice.headers);
    const before = objects();
    const res = await uploadVersion(t, m.name, Buffer.from('this is not a model'), {}, alice.headers).expect(422);
    expect(res.body.code).toBe('INVALID_ONNX_MODEL');
    expect(res.body.detail).toMatch(/not an ONNX model/);
    const truncated = readFileSync(MLP).subarray(0, 300);
    await uploadVersion(t, m.name, truncated, {}, alice.headers).expect(422);
    expect(await versionCount(m.name)).toBe(0);
    expect(objects()).toEqual(before);
    expect(staging()).toEqual([]);
    const events = await ds.query(`SELECT 1 FROM events WHERE "modelName" = $1 AND type = 'model.version.created'`, [
      m.name,
    ]);
    expect(events).toHaveLength(0);
  });

  it('should answer 413 and keep nothing when the file is over MAX_ARTIFACT_MB', async () => {
    const m = await createModel(t, alice.headers);
    const before = objects();
    const res = await uploadVersion(t, m.name, Buffer.alloc(1024 * 1024 + 10, 1), {}, alice.headers).expect(413);
    expect(res.body.code).toBe('ARTIFACT_TOO_LARGE');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await versionCount(m.name)).toBe(0);
    expect(objects()).toEqual(before);
    expect(staging()).toEqual([]);
  });

  it('should answer 422 FEATURES_MISMATCH when the features do not match the [N, k] input', async () => {
    const m = await createModel(t, alice.headers, { labelColumn: 'f3' });
    const res = await uploadVersion(t, m.name, LOGREG, { features: features16().slice(0, 15) }, alice.headers);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'FEATURES_MISMATCH', errors: [{ field: 'metadata.features' }] });
    const label = await uploadVersion(t, m.name, LOGREG, { features: features16() }, alice.headers).expect(422);
    expect(label.body.detail).toMatch(/label column f3/);
    expect(await versionCount(m.name)).toBe(0);
  });

  it('should answer 400 naming the metadata field when the metadata is invalid', async () => {
    const m = await createModel(t, alice.headers);
    const notJson = await uploadVersion(t, m.name, LOGREG, '{nope', alice.headers).expect(400);
    expect(notJson.body).toMatchObject({ code: 'INVALID_METADATA', errors: [{ field: 'metadata' }] });
    const bad = await uploadVersion(
      t,
      m.name,
      LOGREG,
      { parentVersion: 'one', features: [{ name: 'a', type: 'double' }], unknown: 1, batching: { maxDelayMs: 5000 } },
      alice.headers,
    ).expect(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'metadata.parentVersion',
        'metadata.features[0].type',
        'metadata.unknown',
        'metadata.batching.maxDelayMs',
      ]),
    );
    const metric = await uploadVersion(t, m.name, LOGREG, { metrics: { accuracy: 'high' } }, alice.headers);
    expect(metric.status).toBe(400);
    expect(metric.body.errors[0].field).toBe('metadata.metrics.accuracy');
    const parent = await uploadVersion(t, m.name, LOGREG, { parentVersion: 7 }, alice.headers).expect(400);
    expect(parent.body).toMatchObject({
      code: 'PARENT_VERSION_NOT_FOUND',
      errors: [{ field: 'metadata.parentVersion' }],
    });
    expect(await versionCount(m.name)).toBe(0);
    expect(staging()).toEqual([]);
  });

  it('should read the metadata when its part comes after the file', async () => {
    const m = await createModel(t, alice.headers);
    const res = await t.http
      .post(`/api/v1/models/${m.name}/versions`)
      .set(alice.headers)
      .attach('file', LOGREG)
      .field('metadata', JSON.stringify({ description: 'after', metrics: { accuracy: 0.9 } }))
      .expect(201);
    expect(res.body).toMatchObject({ description: 'after', metrics: { accuracy: 0.9 } });
  });

  it('should answer 400 when the file part is missing and 415 when the body is not multipart', async () => {
    const m = await createModel(t, alice.headers);
    const missing = await t.http
      .post(`/api/v1/models/${m.name}/versions`)
      .set(alice.headers)
      .field('metadata', '{}')
      .expect(400);
    expect(missing.body.code).toBe('ARTIFACT_MISSING');
    const json = await t.http.post(`/api/v1/models/${m.name}/versions`).set(alice.headers).send({}).expect(415);
    expect(json.body.code).toBe('NOT_MULTIPART');
  });

  it('should answer 403 to another owner and 404 for an unknown model when uploading', async () => {
    const m = await createModel(t, alice.headers);
    const denied = await uploadVersion(t, m.name, LOGREG, {}, bob.headers).expect(403);
    expect(denied.body.code).toBe('NOT_MODEL_OWNER');
    await uploadVersion(t, 'no-such-model', LOGREG, {}, alice.headers).expect(404);
    expect(await versionCount(m.name)).toBe(0);
  });

  it('should list, get and patch versions and answer 404 for an unknown version', async () => {
    const m = await createModel(t, alice.headers);
    await createVersion(t, m.name, LOGREG, {}, alice.headers);
    await createVersion(t, m.name, MLP, { parentVersion: 1 }, alice.headers);
    const page = await t.http.get(`/api/v1/models/${m.name}/versions?limit=1`).set(bob.headers).expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await t.http
      .get(`/api/v1/models/${m.name}/versions?limit=1&cursor=${page.body.nextCursor}`)
      .set(bob.headers)
      .expect(200);
    expect([page.body.items[0].version, next.body.items[0].version].sort()).toEqual([1, 2]);

    const v2 = await t.http.get(`/api/v1/models/${m.name}/versions/2`).set(bob.headers).expect(200);
    expect(v2.body).toMatchObject({ version: 2, parentVersion: 1, sha256: sha(readFileSync(MLP)) });
    const patched = await t.http
      .patch(`/api/v1/models/${m.name}/versions/2`)
      .set(alice.headers)
      .send({ description: 'second', tags: ['mlp'] })
      .expect(200);
    expect(patched.body).toMatchObject({ description: 'second', tags: ['mlp'] });
    await t.http.patch(`/api/v1/models/${m.name}/versions/2`).set(bob.headers).send({ description: 'x' }).expect(403);
    await t.http.patch(`/api/v1/models/${m.name}/versions/2`).set(alice.headers).send({ metrics: {} }).expect(400);

    const missing = await t.http.get(`/api/v1/models/${m.name}/versions/3`).set(bob.headers).expect(404);
    expect(missing.body.code).toBe('VERSION_NOT_FOUND');
    const bad = await t.http.get(`/api/v1/models/${m.name}/versions/abc`).set(bob.headers).expect(400);
    expect(bad.body.errors[0].field).toBe('version');
  });

  it('should stream the artifact with the sha256 as ETag and answer 304 when it matches', async () => {
    const m = await createModel(t, alice.headers);
    await createVersion(t, m.name, MLP, {}, alice.headers);
    const bytes = readFileSync(MLP);
    const res = await downloadArtifact(t, m.name, 1, bob.headers).expect(200);
    expect(res.headers.etag).toBe(`"${sha(bytes)}"`);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toContain(`${m.name}-v1.onnx`);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
    await t.http
      .get(`/api/v1/models/${m.name}/versions/1/artifact`)
      .set(bob.headers)
      .set('if-none-match', `"${sha(bytes)}"`)
      .expect(304);
  });

  it('should write no version, no event and no artifact when the transaction fails at commit', async () => {
    const m = await createModel(t, alice.headers);
    // A deferred constraint trigger fails at COMMIT, after the row, the event and the artifact were written.
    await ds.query(`CREATE FUNCTION fail_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await ds.query(`CREATE CONSTRAINT TRIGGER fail_version AFTER INSERT ON model_versions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW."description" = 'fail me') EXECUTE FUNCTION fail_version()`);
    try {
      const unique = uniqueModel(LOGREG);
      const before = objects();
      const res = await uploadVersion(t, m.name, unique, { description: 'fail me' }, alice.headers);
      expect(res.status).toBe(500);
      expect(await versionCount(m.name)).toBe(0);
      const events = await ds.query(`SELECT 1 FROM events WHERE "modelName" = $1 AND type = 'model.version.created'`, [
        m.name,
      ]);
      expect(events).toHaveLength(0);
      const [{ latestVersion }] = await ds.query('SELECT "latestVersion" FROM models WHERE name = $1', [m.name]);
      expect(latestVersion).toBe(0);
      expect(objects()).toEqual(before);
      expect(objects().some((f) => f.includes(sha(unique)))).toBe(false);
      expect(staging()).toEqual([]);

      const ok = await createVersion(t, m.name, LOGREG, {}, alice.headers);
      expect(ok.version).toBe(1);
    } finally {
      await ds.query('DROP TRIGGER fail_version ON model_versions');
      await ds.query('DROP FUNCTION fail_version()');
    }
  });

  it('should keep an artifact that another version uses when a failed upload had the same bytes', async () => {
    const a = await createModel(t, alice.headers);
    await createVersion(t, a.name, MLP, {}, alice.headers);
    const b = await createModel(t, alice.headers);
    await ds.query(`CREATE FUNCTION fail_version2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await ds.query(`CREATE CONSTRAINT TRIGGER fail_version2 AFTER INSERT ON model_versions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW."description" = 'fail me') EXECUTE FUNCTION fail_version2()`);
    try {
      await uploadVersion(t, b.name, MLP, { description: 'fail me' }, alice.headers).expect(500);
    } finally {
      await ds.query('DROP TRIGGER fail_version2 ON model_versions');
      await ds.query('DROP FUNCTION fail_version2()');
    }
    const hex = sha(readFileSync(MLP));
    expect(objects()).toContain(join('sha256', hex.slice(0, 2), `${hex}.onnx`));
    await t.http.get(`/api/v1/models/${a.name}/versions/1/artifact`).set(alice.headers).expect(200);
  });
});
