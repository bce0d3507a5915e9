import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import S3rver from 's3rver';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { filesUnder, makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';
import { s3ArtifactEnv } from '../support/s3';

const BUCKET = 'models';

describe('datasets: the file in the S3 artifact storage (s3rver)', () => {
  let s3: S3rver;
  let client: S3Client;
  let t: TestApp;
  let dir: { path: string; remove: () => void };
  let s3dir: { path: string; remove: () => void };

  beforeAll(async () => {
    s3dir = makeTempDir('ds-s3rver-');
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3dir.path,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
    dir = makeTempDir('ds-s3-');
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

  it('should put the uploaded file in the bucket under its sha256 when a dataset is stored', async () => {
    const name = (await createModel(t, t.admin, { labelColumn: 'label', labelKind: 'classes' })).name;
    await createVersion(t, name, MLP, { features: features16() });
    await t.http.post(`/api/v1/models/${name}/promote`).set(t.admin).send({ version: 1 }).expect(200);
    const header = [...features16().map((f) => f.name), 'label'].join(',');
    const file = Buffer.from(`${header}\n${[...Array(16).keys()].map((i) => i / 10).join(',')},yes\n`);
    const res = await t.http
      .post(`/api/v1/models/${name}/datasets`)
      .set(t.admin)
      .field('kind', 'benchmark')
      .attach('file', file, 'bench.csv')
      .expect(201);
    const hex = createHash('sha256').update(file).digest('hex');
    expect(res.body).toMatchObject({ fileSha256: hex, rowCount: 1, active: true });
    const key = `artifacts/datasets/sha256/${hex.slice(0, 2)}/${hex}.csv`;
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(file.length);
    expect(filesUnder(join(dir.path, 'objects'))).toEqual([]);
  });
});
