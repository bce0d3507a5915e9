import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { ContributionsService, datasetHashOfRows, MIN_REFERENCE_ROWS } from 'src/modules/contributions';
import { TxHost } from 'src/platform/database';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

type Row = Record<string, unknown>;

let seed = 1_000_000;
/** A fresh row (16 float features in [-1, 1] and a class label) no other test sends. */
const row = (label = seed % 2 === 0 ? 'yes' : 'no'): Row => {
  seed++;
  return { ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed * 17 + i)])), label };
};
const rows = (n: number): Row[] => Array.from({ length: n }, () => row());
const jsonl = (batch: Row[]): Buffer => Buffer.from(batch.map((r) => JSON.stringify(r)).join('\n'));

describe('contributions pipeline', () => {
  let t: TestApp;
  let modelOwner: CreatedKey;
  let contributor: CreatedKey;
  const wallet = Wallet.createRandom().address;

  /** A model taking 16 features (by default 16 floats) and a class label, promoted to production. */
  const newModel = async (features: { name: string; type: string }[] = features16()): Promise<string> => {
    const name = (await createModel(t, modelOwner.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
    await createVersion(t, name, MLP, { features }, modelOwner.headers);
    await t.http.post(`/api/v1/models/${name}/promote`).set(modelOwner.headers).send({ version: 1 }).expect(200);
    return name;
  };
  const submit = (name: string, batch: Row[]) =>
    t.http
      .post(`/api/v1/models/${name}/contributions`)
      .set(contributor.headers)
      .send({ rows: batch, contributor: { walletAddress: wallet } });
  const upload = (name: string, file: Buffer, filename: string, idempotencyKey?: string, address = wallet) => {
    const req = t.http.post(`/api/v1/models/${name}/contributions`).set(contributor.headers);
    if (idempotencyKey) req.set('idempotency-key', idempotencyKey);
    return req.field('walletAddress', address).attach('file', file, filename);
  };
  const settings = (name: string, body: object) =>
    t.http.put(`/api/v1/models/${name}/contribution-settings`).set(modelOwner.headers).send(body).expect(200);
  /** Waits for the durable job to finish the contribution; returns its final state. */
  const processed = (id: string) =>
    waitFor(
      async () => {
        const c = await t.http.get(`/api/v1/contributions/${id}`).set(contributor.headers).expect(200);
        return ['accepted', 'rejected'].includes(c.body.status) ? c.body : undefined;
      },
      'the large contribution to be processed',
      60_000,
      250,
    );
  const storedRows = async (id: string): Promise<number> => {
    const [{ n }] = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM contribution_rows WHERE "contributionId" = $1', [id]);
    return n;
  };

  beforeAll(async () => {
    t = await createTestApp();
    modelOwner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'contributions:read'] });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
  });

  afterAll(async () => {
    await t.close();
  });

  describe('large uploads, processed in chunks', () => {
    it('should leave no row behind and credit the rows to a later contribution when PII in a later chunk refuses the upload', async () => {
      const name = await newModel();
      const batch = rows(10_050);
      const withEmail = [...batch.slice(0, 7000), row('mail jane.doe@example.com'), ...batch.slice(7000)];
      const res = await upload(name, jsonl(withEmail), 'rows.jsonl').expect(202);
      const done = await processed(res.body.id);
      expect(done).toMatchObject({ status: 'rejected', rejectionCode: 'PII_DETECTED' });
      expect(done.piiSummary).toMatchObject({ findings: 1, byType: { EMAIL: 1 }, action: 'rejected' });
      expect(await storedRows(res.body.id)).toBe(0);

      const again = await upload(name, jsonl(batch), 'rows.jsonl').expect(202);
      const accepted = await processed(again.body.id);
      expect(accepted.counts).toEqual({ received: 10_050, accepted: 10_050, rejected: 0, duplicate: 0 });
    });

    it('should show the durable job of a large upload, completed, to its contributor only when it is processed', async () => {
      const name = await newModel();
      const res = await upload(name, jsonl(rows(10_020)), 'rows.jsonl').expect(202);
      expect((await processed(res.body.id)).status).toBe('accepted');
      const job = await waitFor(async () => {
        const got = await t.http.get(`/api/v1/jobs/${res.body.id}`).set(contributor.headers).expect(200);
        return got.body.state === 'completed' ? got.body : undefined;
      }, 'the job to complete');
      expect(job).toMatchObject({ id: res.body.id, queue: 'contributions.large-upload', retryCount: 0, error: null });
      await t.http.get(`/api/v1/jobs/${res.body.id}`).set(modelOwner.headers).expect(404);
    });

    it('should store no row when a large upload scores below the minimum', async () => {
      const name = await newModel();
      await settings(name, { minQuality: 0.99 });
      const batch = rows(10_050).map((r, i) => (i % 2 ? { ...r, f1: null, f2: null, f3: null } : r));
      const res = await upload(name, jsonl(batch), 'rows.jsonl').expect(202);
      const done = await processed(res.body.id);
      expect(done).toMatchObject({ status: 'rejected', rejectionCode: 'LOW_QUALITY' });
      expect(done.qualityReport.completeness).toBeLessThan(1);
      expect(await storedRows(res.body.id)).toBe(0);
      expect(await t.app.get(ContributionsService).acceptedRows(name)).toHaveLength(0);
    });

    it('should count repeats across chunks and rows the model already has as duplicates when a large upload holds them', async () => {
      const name = await newModel();
      const known = rows(100);
      await submit(name, known).expect(201);
      const fresh = rows(10_000);
      const batch = [...known, ...fresh, ...fresh.slice(0, 50)];
      const res = await upload(name, jsonl(batch), 'rows.jsonl').expect(202);
      const done = await processed(res.body.id);
      expect(done.counts).toEqual({ received: 10_150, accepted: 10_000, rejected: 0, duplicate: 150 });
      expect(done.qualityReport).toMatchObject({ rows: 10_150, duplicateRows: 50 });
      expect(done.datasetHash).toBe(datasetHashOfRows(batch));
      expect(await t.app.get(ContributionsService).acceptedRows(name, { limit: 20_000 })).toHaveLength(10_100);
    });
  });

  describe('outlier reference', () => {
    it('should measure outliers within the batch until the model has enough rows, then against the model data', async () => {
      const name = await newModel();
      const first = rows(MIN_REFERENCE_ROWS + 20);
      const a = await submit(name, first).expect(201);
      expect(a.body.qualityReport.outlierReference).toBe('batch');

      // Far from the model's data (f0 in [-1, 1]) but unremarkable within the batch itself.
      const shifted = rows(30).map((r) => ({ ...r, f0: 50 + (r.f1 as number) }));
      const b = await submit(name, shifted).expect(201);
      expect(b.body.qualityReport).toMatchObject({ outlierReference: 'model', outliers: { f0: 30 } });
      expect(b.body.qualityReport.outliers.f1).toBe(0);

      const [stats] = await t.app.get(DataSource).query(
        `SELECT s."count"::int AS count, s.mean, s.m2 FROM contribution_column_stats s
             JOIN models m ON m.id = s."modelId" WHERE m.name = $1 AND s."column" = 'f0'`,
        [name],
      );
      const f0 = [...first, ...shifted].map((r) => r.f0 as number);
      const mean = f0.reduce((x, y) => x + y, 0) / f0.length;
      expect(stats.count).toBe(f0.length);
      expect(stats.mean).toBeCloseTo(mean, 9);
      expect(stats.m2).toBeCloseTo(
        f0.reduce((x, y) => x + (y - mean) ** 2, 0),
        6,
      );
    });
  });

  describe('CSV typed by the schema', () => {
    it('should keep a string feature as text and list NOT_A_NUMBER by row and column when a numeric cell is not a number', async () => {
      const features = [...features16().slice(0, 15), { name: 'code', type: 'string' }];
      const name = await newModel(features);
      const header = [...features.map((f) => f.name), 'label'];
      const line = (f3: string, code: string, label: string) =>
        header.map((h) => (h === 'f3' ? f3 : h === 'code' ? code : h === 'label' ? label : '0.25')).join(',');
      const csv = Buffer.from([header.join(','), line('1.5', '123', 'yes'), line('abc', '7', 'no')].join('\n'));
      const res = await upload(name, csv, 'rows.csv').expect(201);
      expect(res.body.counts).toMatchObject({ received: 2, accepted: 1, rejected: 1 });
      expect(res.body.rowErrors).toEqual([{ row: 1, column: 'f3', code: 'NOT_A_NUMBER' }]);
      const [stored] = await t.app.get(ContributionsService).acceptedRows(name);
      expect(stored.data).toMatchObject({ code: '123', f3: 1.5, f0: 0.25, label: 'yes' });
    });
  });

  describe('Idempotency-Key on multipart', () => {
    it('should replay the first answer with 200 when the same key comes with the same file', async () => {
      const name = await newModel();
      const file = jsonl(rows(12));
      const first = await upload(name, file, 'rows.jsonl', 'upload-key-1').expect(201);
      const again = await upload(name, file, 'rows.jsonl', 'upload-key-1').expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const [{ n }] = await t.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM contributions WHERE "modelName" = $1', [name]);
      expect(n).toBe(1);
    });

    it('should replay the 202 answer of a large upload when the same key comes with the same file', async () => {
      const name = await newModel();
      const file = jsonl(rows(10_001));
      const first = await upload(name, file, 'rows.jsonl', 'upload-key-large').expect(202);
      const again = await upload(name, file, 'rows.jsonl', 'upload-key-large').expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      await processed(first.body.id);
    });

    it('should answer 422 IDEMPOTENCY_KEY_REUSED when the same key comes with another file or other fields', async () => {
      const file = jsonl(rows(5));
      const name = await newModel();
      await upload(name, file, 'rows.jsonl', 'upload-key-2').expect(201);
      const otherFile = await upload(name, jsonl(rows(5)), 'rows.jsonl', 'upload-key-2').expect(422);
      expect(otherFile.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherWallet = Wallet.createRandom().address;
      const otherFields = await upload(name, file, 'rows.jsonl', 'upload-key-2', otherWallet).expect(422);
      expect(otherFields.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('should answer 409 IDEMPOTENCY_KEY_IN_USE when a request with the same key and file is still running', async () => {
      const name = await newModel();
      const file = jsonl(rows(5));
      await upload(name, file, 'rows.jsonl', 'upload-key-busy').expect(201);
      // As if the first request were still running: its key in progress, within the lease.
      await t.app.get(DataSource).query(
        `UPDATE idempotency_keys SET state = 'in_progress', "responseStatus" = NULL, "responseBody" = NULL,
             "createdAt" = now() WHERE owner = $1 AND key = $2`,
        [contributor.owner, 'upload-key-busy'],
      );
      const res = await upload(name, file, 'rows.jsonl', 'upload-key-busy').expect(409);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    });
  });

  describe('lifecycle seam for training and rewards', () => {
    const service = () => t.app.get(ContributionsService);
    const lifecycle = async (id: string) =>
      (await t.http.get(`/api/v1/contributions/${id}/lifecycle`).set(contributor.headers).expect(200)).body;
    const events = (type: string, id: string): Promise<{ data: Record<string, unknown> }[]> =>
      t.app.get(DataSource).query(`SELECT * FROM events WHERE type = $1 AND data->>'contributionId' = $2`, [type, id]);

    it('should move accepted contributions to included_in_training then rewarded with their times and events', async () => {
      const name = await newModel();
      const a = (await submit(name, rows(10)).expect(201)).body.id as string;
      const b = (await submit(name, rows(10)).expect(201)).body.id as string;
      const txHost = t.app.get(TxHost);
      await txHost.withTransaction(() => service().markIncludedInTraining([a, b], { modelName: name, version: 2 }));
      await txHost.withTransaction(() => service().markRewarded([a], { txHash: '0xabc' }));

      expect((await lifecycle(a)).steps.map((s: { state: string }) => s.state)).toEqual([
        'received',
        'validating',
        'accepted',
        'included_in_training',
        'rewarded',
      ]);
      expect((await lifecycle(b)).status).toBe('included_in_training');
      const [included] = await events('contribution.included_in_training', b);
      expect(included.data).toMatchObject({ contributionId: b, modelName: name, version: 2, walletAddress: wallet });
      const [rewarded] = await events('contribution.rewarded', a);
      expect(rewarded.data).toMatchObject({ contributionId: a, txHash: '0xabc' });
    });

    it('should refuse with ILLEGAL_TRANSITION and change nothing when a contribution is not in the state before', async () => {
      const name = await newModel();
      const accepted = (await submit(name, rows(10)).expect(201)).body.id as string;
      const rejected = (await submit(name, [{ f0: 1 }]).expect(422)).body.contributionId as string;
      const txHost = t.app.get(TxHost);
      await expect(
        txHost.withTransaction(() =>
          service().markIncludedInTraining([accepted, rejected], { modelName: name, version: 2 }),
        ),
      ).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
      await expect(txHost.withTransaction(() => service().markRewarded([accepted]))).rejects.toMatchObject({
        code: 'ILLEGAL_TRANSITION',
      });
      expect((await lifecycle(accepted)).status).toBe('accepted');
      expect(await events('contribution.included_in_training', accepted)).toEqual([]);
    });
  });
});
