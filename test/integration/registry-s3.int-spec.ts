import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Wallet } from 'ethers';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';
import { DataSource } from 'typeorm';
import { RegistryService } from 'src/modules/registry';
import {
  createModel,
  createVersion,
  features16,
  MLP,
  uniqueModel,
  uploadVersion,
  downloadArtifact,
} from '../factories/model.factory';
import { filesUnder, makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';
import { s3ArtifactEnv } from '../support/s3';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BUCKET = 'models';

describe('registry: S3 artifact storage against a local S3-protocol server (s3rver)', () => {
  let s3: S3rver;
  let client: S3Client;
  let t: TestApp;
  let dir: { path: string; remove: () => void };
  let s3dir: { path: string; remove: () => void };
  let endpoint: string;

  beforeAll(async () => {
    s3dir = makeTempDir('reg-s3rver-');
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3dir.path,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const address = await s3.run();
    endpoint = `http://127.0.0.1:${address.port}`;
    client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    dir = makeTempDir('reg-s3-');
    t = await createTestApp({
      env: s3ArtifactEnv(endpoint, BUCKET, dir.path),
    });
  });

  afterAll(async () => {
    await t.close();
    client.destroy();
    await s3.close().catch(() => undefined);
    dir.remove();
    s3dir.remove();
  });

  const objectExists = async (hex: string): Promise<boolean> => {
    try {
      await client.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: `artifacts/sha256/${hex.slice(0, 2)}/${hex}.onnx` }),
      );
      return true;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw err;
    }
  };

  it('should put the artifact in the bucket under its sha256 when a version is uploaded', async () => {
    const m = await createModel(t);
    const bytes = uniqueModel(MLP);
    const v = await createVersion(t, m.name, bytes);
    expect(v.sha256).toBe(sha(bytes));
    expect(await objectExists(sha(bytes))).toBe(true);
    expect(filesUnder(join(dir.path, 'objects'))).toEqual([]);
    expect(filesUnder(join(dir.path, 'tmp'))).toEqual([]);
  });

  it('should stream the artifact back from the bucket when it is downloaded', async () => {
    const m = await createModel(t);
    const bytes = uniqueModel(MLP);
    await createVersion(t, m.name, bytes);
    const res = await downloadArtifact(t, m.name, 1).expect(200);
    expect(res.headers.etag).toBe(`"${sha(bytes)}"`);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
  });

  it('should download the artifact into the local cache when a version is resolved', async () => {
    const m = await createModel(t);
    const bytes = uniqueModel(MLP);
    await createVersion(t, m.name, bytes);
    const registry = t.app.get(RegistryService);
    const first = await registry.resolve(m.name, { version: 1 });
    expect(first.artifactPath.startsWith(join(dir.path, 'cache'))).toBe(true);
    expect(sha(readFileSync(first.artifactPath))).toBe(sha(bytes));
    rmSync(first.artifactPath);
    const again = await registry.resolve(m.name, { version: 1 });
    expect(sha(readFileSync(again.artifactPath))).toBe(sha(bytes));
  });

  it('should remove the object from the bucket when the registration fails at commit', async () => {
    const ds = t.app.get(DataSource);
    const m = await createModel(t);
    await ds.query(`CREATE FUNCTION fail_s3() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await ds.query(`CREATE CONSTRAINT TRIGGER fail_s3 AFTER INSERT ON model_versions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW."description" = 'fail me') EXECUTE FUNCTION fail_s3()`);
    const bytes = uniqueModel(MLP);
    try {
      await uploadVersion(t, m.name, bytes, { description: 'fail me' }).expect(500);
    } finally {
      await ds.query('DROP TRIGGER fail_s3 ON model_versions');
      await ds.query('DROP FUNCTION fail_s3()');
    }
    expect(await objectExists(sha(bytes))).toBe(false);
    const rows = await ds.query('SELECT 1 FROM model_versions WHERE sha256 = $1', [sha(bytes)]);
    expect(rows).toHaveLength(0);
  });

  it('should accept a contribution without reading the artifact when the stored object is gone', async () => {
    const m = await createModel(t, t.admin, { labelColumn: 'label', labelKind: 'classes' });
    const bytes = uniqueModel(MLP);
    await createVersion(t, m.name, bytes, { features: features16() });
    await t.http.post(`/api/v1/models/${m.name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
    const hex = sha(bytes);
    await client.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: `artifacts/sha256/${hex.slice(0, 2)}/${hex}.onnx` }),
    );
    expect(await objectExists(hex)).toBe(false);

    const rows = Array.from({ length: 20 }, (_, r) => ({
      ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(r * 17 + i)])),
      label: r % 2 === 0 ? 'yes' : 'no',
    }));
    const res = await t.http
      .post(`/api/v1/models/${m.name}/contributions`)
      .set(t.admin)
      .send({ rows, contributor: { walletAddress: Wallet.createRandom().address } })
      .expect(201);
    expect(res.body).toMatchObject({ status: 'accepted', counts: { accepted: 20 } });
    expect(filesUnder(join(dir.path, 'cache')).filter((f) => f.includes(hex))).toEqual([]);
  });

  it('should answer 503 and register nothing when the object storage is down', async () => {
    const m = await createModel(t);
    await s3.close();
    const res = await uploadVersion(t, m.name, uniqueModel(MLP)).expect(503);
    expect(res.body.code).toBe('ARTIFACT_STORAGE_UNAVAILABLE');
    const rows = await t.app
      .get(DataSource)
      .query('SELECT 1 FROM model_versions v JOIN models m ON m.id = v."modelId" WHERE m.name = $1', [m.name]);
    expect(rows).toHaveLength(0);
    expect(filesUnder(join(dir.path, 'tmp'))).toEqual([]);
  });
});
