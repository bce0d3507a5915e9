import { Wallet } from 'ethers';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { datasetHashOfRows, rowHash } from 'src/modules/contributions';
import { DatasetRow, DatasetsService } from 'src/modules/datasets';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';

type Row = Record<string, unknown>;

let seed = 0;
/** A fresh row (16 float features and a class label) no other test sends. */
const row = (): Row => {
  seed++;
  const label = seed % 2 === 0 ? 'yes' : 'no';
  return { ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed * 13 + i)])), label };
};
const rows = (n: number): Row[] => Array.from({ length: n }, () => row());

const csv = (batch: Row[]): Buffer => {
  const header = Object.keys(batch[0]);
  return Buffer.from([header.join(','), ...batch.map((r) => header.map((h) => String(r[h])).join(','))].join('\n'));
};
const jsonl = (batch: Row[]): Buffer => Buffer.from(batch.map((r) => JSON.stringify(r)).join('\n') + '\n');

describe('datasets', () => {
  let t: TestApp;
  let owner: CreatedKey;
  let outsider: CreatedKey;
  let model: string;

  const newModel = async (visibility = 'public'): Promise<string> => {
    const name = (await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes', visibility })).name;
    await createVersion(t, name, MLP, { features: features16() }, owner.headers);
    await t.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    return name;
  };
  const upload = (
    name: string,
    file: Buffer,
    filename: string,
    fields: Record<string, string> = { kind: 'benchmark' },
    key: CreatedKey = owner,
    idempotencyKey?: string,
  ) => {
    const req = t.http.post(`/api/v1/models/${name}/datasets`).set(key.headers);
    if (idempotencyKey) req.set('idempotency-key', idempotencyKey);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req.attach('file', file, filename);
  };
  const setBenchmark = (name: string, datasetId: string, key: CreatedKey = owner) =>
    t.http.put(`/api/v1/models/${name}/benchmark`).set(key.headers).send({ datasetId });
  const list = (name: string, query = '', key: CreatedKey = owner) =>
    t.http.get(`/api/v1/models/${name}/datasets${query}`).set(key.headers);
  const storedRows = async (name: string): Promise<number> => {
    const [{ n }] = await t.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n FROM dataset_rows r JOIN datasets d ON d.id = r."datasetId" WHERE d."modelName" = $1`,
        [name],
      );
    return n as number;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    outsider = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    model = await newModel();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/v1/models/{name}/datasets', () => {
    it('should store a CSV benchmark with the dataset hash of its rows and make it active when it is the first benchmark', async () => {
      const name = await newModel();
      const batch = rows(30);
      const res = await upload(name, csv(batch), 'bench.csv', {
        kind: 'benchmark',
        description: 'held out',
      }).expect(201);
      expect(res.body).toMatchObject({
        modelName: name,
        kind: 'benchmark',
        rowCount: 30,
        labelColumn: 'label',
        columns: [...features16().map((f) => f.name), 'label'],
        schemaVersion: 1,
        description: 'held out',
        active: true,
        format: 'csv',
      });
      expect(res.body.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(res.body.hash).toBe(datasetHashOfRows(batch));
      expect(await storedRows(name)).toBe(30);
      const hex = createHash('sha256').update(csv(batch)).digest('hex');
      expect(res.body.fileSha256).toBe(hex);
      const stored = join(t.config.ARTIFACT_DIR, 'objects', 'datasets', 'sha256', hex.slice(0, 2), `${hex}.csv`);
      expect(readFileSync(stored).equals(csv(batch))).toBe(true);
      const [created] = await t.app
        .get(DataSource)
        .query(`SELECT data FROM events WHERE type = 'dataset.created' AND data->>'datasetId' = $1`, [res.body.id]);
      expect(created.data).toEqual({
        datasetId: res.body.id,
        model: name,
        kind: 'benchmark',
        hash: res.body.hash,
        rowCount: 30,
        active: true,
      });
    });

    it('should give a JSONL file of the same rows the same hash as the CSV file and as a contribution of them', async () => {
      const name = await newModel();
      const batch = rows(20);
      const a = await upload(name, csv(batch), 'a.csv', { kind: 'training' }).expect(201);
      const b = await upload(name, jsonl([...batch].reverse()), 'b.jsonl', { kind: 'training' }).expect(201);
      expect(b.body).toMatchObject({ format: 'jsonl', rowCount: 20, active: false });
      expect(b.body.hash).toBe(a.body.hash);
      const contribution = await t.http
        .post(`/api/v1/models/${name}/contributions`)
        .set(t.admin)
        .send({ rows: batch, contributor: { walletAddress: Wallet.createRandom().address } })
        .expect(201);
      expect(contribution.body.datasetHash).toBe(a.body.hash);
    });

    it('should refuse the whole dataset naming the column when a column is not in the schema', async () => {
      const name = await newModel();
      const batch = rows(5).map((r) => ({ ...r, colour: 'red' }));
      const res = await upload(name, csv(batch), 'bad.csv').expect(422);
      expect(res.body.code).toBe('INVALID_ROWS');
      expect(res.body.rowErrors).toContainEqual({ row: 0, column: 'colour', code: 'UNKNOWN_COLUMN' });
      expect(res.body.rowErrors).toHaveLength(5);
      expect((await list(name).expect(200)).body.items).toEqual([]);
      expect(await storedRows(name)).toBe(0);
    });

    it('should refuse the whole dataset naming the row and column when one row has a wrong value', async () => {
      const name = await newModel();
      const batch = rows(700);
      batch[650] = { ...batch[650], f5: 'high' };
      const res = await upload(name, jsonl(batch), 'bad.jsonl').expect(422);
      expect(res.body).toMatchObject({
        code: 'INVALID_ROWS',
        rowErrors: [{ row: 650, column: 'f5', code: 'WRONG_TYPE' }],
      });
      const text = rows(3);
      text[1] = { ...text[1], f2: 'abc' };
      const bad = await upload(name, csv(text), 'bad.csv').expect(422);
      expect(bad.body.rowErrors).toEqual([{ row: 1, column: 'f2', code: 'NOT_A_NUMBER' }]);
      expect(await storedRows(name)).toBe(0);
    });

    it('should answer 400 naming the field when kind is missing or the file is not CSV or JSONL', async () => {
      const noKind = await upload(model, csv(rows(2)), 'a.csv', {}).expect(400);
      expect(noKind.body.errors.map((e: { field: string }) => e.field)).toContain('kind');
      const txt = await upload(model, csv(rows(2)), 'a.txt').expect(400);
      expect(txt.body).toMatchObject({ code: 'INVALID_FILE', errors: [{ field: 'file' }] });
    });

    it('should answer 422 NO_FEATURE_SCHEMA when the model has no production version', async () => {
      const name = (await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
      const res = await upload(name, csv(rows(2)), 'a.csv').expect(422);
      expect(res.body.code).toBe('NO_FEATURE_SCHEMA');
    });

    it('should replay the first answer when the same upload comes again with the same Idempotency-Key', async () => {
      const name = await newModel();
      const file = csv(rows(4));
      const first = await upload(name, file, 'a.csv', { kind: 'training' }, owner, 'ds-key-1').expect(201);
      const again = await upload(name, file, 'a.csv', { kind: 'training' }, owner, 'ds-key-1').expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect((await list(name).expect(200)).body.items).toHaveLength(1);
    });

    it('should write a dataset.create audit record when a dataset is stored', async () => {
      const res = await upload(model, csv(rows(3)), 'a.csv', { kind: 'training' }).expect(201);
      const records = await t.app
        .get(DataSource)
        .query(`SELECT changes FROM audit_log WHERE action = 'dataset.create' AND "targetId" = $1`, [res.body.id]);
      expect(records).toHaveLength(1);
      expect(records[0].changes).toMatchObject({ kind: { to: 'training' }, rowCount: { to: 3 } });
    });
  });

  describe('GET /api/v1/models/{name}/datasets', () => {
    it('should list the datasets newest first, page by page and by kind, and get one by id', async () => {
      const name = await newModel();
      const a = await upload(name, csv(rows(3)), 'a.csv', { kind: 'benchmark' }).expect(201);
      const b = await upload(name, csv(rows(3)), 'b.csv', { kind: 'training' }).expect(201);
      const page1 = await list(name, '?limit=1').expect(200);
      expect(page1.body.items.map((d: { id: string }) => d.id)).toEqual([b.body.id]);
      const page2 = await list(name, `?limit=1&cursor=${page1.body.nextCursor}`).expect(200);
      expect(page2.body).toEqual({ items: [a.body], nextCursor: null });
      const benchmarks = await list(name, '?kind=benchmark').expect(200);
      expect(benchmarks.body.items.map((d: { id: string }) => d.id)).toEqual([a.body.id]);
      const one = await t.http.get(`/api/v1/models/${name}/datasets/${b.body.id}`).set(owner.headers).expect(200);
      expect(one.body).toEqual(b.body);
      const elsewhere = await t.http.get(`/api/v1/models/${model}/datasets/${b.body.id}`).set(owner.headers);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body.code).toBe('DATASET_NOT_FOUND');
    });
  });

  describe('PUT /api/v1/models/{name}/benchmark', () => {
    it('should switch the active benchmark and keep one active when another benchmark is chosen', async () => {
      const name = await newModel();
      const first = await upload(name, csv(rows(3)), 'a.csv').expect(201);
      const second = await upload(name, csv(rows(3)), 'b.csv').expect(201);
      expect([first.body.active, second.body.active]).toEqual([true, false]);
      const res = await setBenchmark(name, second.body.id).expect(200);
      expect(res.body).toMatchObject({ id: second.body.id, active: true });
      const active = (await list(name).expect(200)).body.items.filter((d: { active: boolean }) => d.active);
      expect(active.map((d: { id: string }) => d.id)).toEqual([second.body.id]);
      const service = t.app.get(DatasetsService);
      const modelId = (await service.get(second.body.id)).modelId;
      expect((await service.activeBenchmark(modelId))?.id).toBe(second.body.id);
    });

    it('should make exactly one of them active when two first benchmarks are uploaded at once', async () => {
      const name = await newModel();
      const [a, b] = await Promise.all([upload(name, csv(rows(600)), 'a.csv'), upload(name, csv(rows(600)), 'b.csv')]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect([a.body.active, b.body.active].sort()).toEqual([false, true]);
    });

    it("should refuse a training dataset (422) and another model's dataset (404)", async () => {
      const name = await newModel();
      const training = await upload(name, csv(rows(3)), 'a.csv', { kind: 'training' }).expect(201);
      const notBench = await setBenchmark(name, training.body.id).expect(422);
      expect(notBench.body.code).toBe('NOT_A_BENCHMARK');
      const other = await newModel();
      const foreign = await upload(other, csv(rows(3)), 'b.csv').expect(201);
      const res = await setBenchmark(name, foreign.body.id).expect(404);
      expect(res.body.code).toBe('DATASET_NOT_FOUND');
    });
  });

  describe('access', () => {
    it("should hide another owner's private model and refuse writes to another owner's public model", async () => {
      const hidden = await newModel('private');
      const bench = await upload(hidden, csv(rows(3)), 'a.csv').expect(201);
      expect((await list(hidden, '', outsider)).status).toBe(404);
      expect((await upload(hidden, csv(rows(3)), 'a.csv', undefined, outsider)).status).toBe(404);
      expect((await setBenchmark(hidden, bench.body.id, outsider)).status).toBe(404);
      expect(
        (await t.http.get(`/api/v1/models/${hidden}/datasets/${bench.body.id}`).set(outsider.headers)).status,
      ).toBe(404);

      const pub = await upload(model, csv(rows(3)), 'a.csv').expect(201);
      expect((await list(model, '', outsider)).status).toBe(200);
      const write = await upload(model, csv(rows(3)), 'a.csv', undefined, outsider).expect(403);
      expect(write.body.code).toBe('NOT_MODEL_OWNER');
      expect((await setBenchmark(model, pub.body.id, outsider)).status).toBe(403);
    });

    it('should answer 403 when the key lacks models:write', async () => {
      const reader = await createApiKey(t, { scopes: ['models:read'] });
      expect((await upload(model, csv(rows(3)), 'a.csv', undefined, reader)).status).toBe(403);
    });
  });

  describe('DatasetsService', () => {
    it('should give the typed rows in file order with their row hashes, and their distinct hashes', async () => {
      const name = await newModel();
      const batch = rows(1203);
      batch.push(batch[0]);
      const res = await upload(name, csv(batch), 'a.csv', { kind: 'training' }).expect(201);
      const service = t.app.get(DatasetsService);
      const got: DatasetRow[] = [];
      for await (const chunk of service.rows(res.body.id)) got.push(...chunk);
      expect(got).toHaveLength(1204);
      expect(got.map((r) => r.values)).toEqual(batch);
      expect(got.map((r) => r.hash)).toEqual(batch.map(rowHash));
      expect(typeof got[5].values.f3).toBe('number');
      const hashes = await service.rowHashes(res.body.id);
      expect(hashes).toEqual(new Set(batch.map(rowHash)));
      expect(hashes.size).toBe(1203);
      expect(await service.countRowsAmong(res.body.id, [rowHash(batch[7]), 'f'.repeat(64)])).toBe(1);
      const record = await service.get(res.body.id);
      expect(record).toMatchObject({ kind: 'training', rowCount: 1204, hash: datasetHashOfRows(batch) });
      expect(await service.findByHash(record.modelId, record.hash)).toEqual([record]);
    });

    it('should let SQL intersect benchmark rows with contribution rows on the row hash', async () => {
      const name = await newModel();
      const batch = rows(10);
      const res = await upload(name, jsonl(batch), 'a.jsonl').expect(201);
      await t.http
        .post(`/api/v1/models/${name}/contributions`)
        .set(t.admin)
        .send({
          rows: [...batch.slice(0, 4), ...rows(6)],
          contributor: { walletAddress: Wallet.createRandom().address },
        })
        .expect(201);
      const [{ n }] = await t.app.get(DataSource).query(
        `SELECT count(DISTINCT d.hash)::int AS n FROM dataset_rows d
           JOIN contribution_rows c ON c."rowHash" = d.hash WHERE d."datasetId" = $1`,
        [res.body.id],
      );
      expect(n).toBe(4);
    });

    it('should answer DATASET_NOT_FOUND when the id is unknown', async () => {
      await expect(t.app.get(DatasetsService).get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        code: 'DATASET_NOT_FOUND',
      });
    });
  });
});
