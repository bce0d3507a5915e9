import { HDNodeWallet, Wallet } from 'ethers';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ContributionsService } from 'src/modules/contributions';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { contributorProof } from '../factories/contributor.factory';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

type Row = Record<string, unknown>;

let seed = 1000;
const rows = (n: number): Row[] =>
  Array.from({ length: n }, () => {
    seed++;
    const features = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.cos(seed * 13 + i)]));
    return { ...features, label: seed % 2 === 0 ? 'yes' : 'no' };
  });

describe('contributors: export and erasure', () => {
  let t: TestApp;
  let ds: DataSource;
  let modelOwner: CreatedKey;
  let contributor: CreatedKey;
  let models: string[];

  const newModel = async (): Promise<string> => {
    const name = (await createModel(t, modelOwner.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
    await createVersion(t, name, MLP, { features: features16() }, modelOwner.headers);
    await t.http.post(`/api/v1/models/${name}/promote`).set(modelOwner.headers).send({ version: 1 }).expect(200);
    return name;
  };
  const contribute = async (
    model: string,
    wallet: HDNodeWallet,
    n = 20,
  ): Promise<{ id: string; datasetHash: string }> => {
    const res = await t.http
      .post(`/api/v1/models/${model}/contributions`)
      .set(contributor.headers)
      .send({ rows: rows(n), contributor: { walletAddress: wallet.address }, metadata: { source: 'my phone' } })
      .expect(201);
    return res.body as { id: string; datasetHash: string };
  };
  const exportOf = (wallet: HDNodeWallet | string, body: object = {}) =>
    t.http.post(`/api/v1/contributors/${typeof wallet === 'string' ? wallet : wallet.address}/export`).send(body);
  const eraseOf = (wallet: HDNodeWallet | string, body: object = {}) =>
    t.http.post(`/api/v1/contributors/${typeof wallet === 'string' ? wallet : wallet.address}/erase`).send(body);
  const storedData = async (contributionId: string): Promise<number> =>
    (
      await ds.query(
        `SELECT count(*)::int AS n FROM contribution_rows WHERE "contributionId" = $1 AND data IS NOT NULL`,
        [contributionId],
      )
    )[0].n;
  const erasedEvents = async (wallet: HDNodeWallet): Promise<{ data: Record<string, unknown>; owner: string }[]> =>
    ds.query(`SELECT data, owner FROM events WHERE type = 'contributor.erased' AND data->>'walletAddress' = $1`, [
      wallet.address,
    ]);

  beforeAll(async () => {
    // No job worker: a large upload stays stored and unprocessed until a test erases it.
    t = await createTestApp({ env: { JOBS_ENABLED: 'false' } });
    ds = t.app.get(DataSource);
    modelOwner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'contributions:read'] });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
    models = [await newModel(), await newModel()];
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/v1/contributors/{walletAddress}/export', () => {
    it('should answer every contribution of the wallet with its rows when the wallet signs the request', async () => {
      const wallet = Wallet.createRandom();
      const a = await contribute(models[0], wallet, 12);
      const b = await contribute(models[1], wallet, 5);
      await contribute(models[0], Wallet.createRandom(), 3);

      const res = await exportOf(wallet, await contributorProof(wallet, 'export')).expect(200);

      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ walletAddress: wallet.address, notes: expect.any(Array) });
      expect(res.body.contributions.map((c: { id: string }) => c.id)).toEqual([a.id, b.id]);
      const [first] = res.body.contributions;
      expect(first).toMatchObject({
        id: a.id,
        modelName: models[0],
        status: 'accepted',
        datasetHash: a.datasetHash,
        counts: { received: 12, accepted: 12 },
        erased: false,
        includedInTrainingAt: null,
        rewardedAt: null,
        trainedVersions: [],
      });
      expect(first.rows).toHaveLength(12);
      expect(first.rows[0]).toMatchObject({ rowIndex: 0, credited: true, duplicate: false });
      expect(first.rows[0].rowHash).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(first.rows[0].data)).toHaveLength(17);
    });

    it('should list the registry versions trained on a contribution when a version names it in its lineage', async () => {
      const wallet = Wallet.createRandom();
      const c = await contribute(models[0], wallet, 4);
      await createVersion(t, models[0], MLP, { features: features16(), contributionIds: [c.id] }, modelOwner.headers);

      const res = await exportOf(wallet).set(t.admin).expect(200);

      expect(res.body.contributions[0].trainedVersions).toEqual([{ modelName: models[0], version: 2 }]);
    });

    it('should answer an empty list when the wallet has contributed nothing and an admin key asks', async () => {
      const res = await exportOf(Wallet.createRandom().address.toLowerCase()).set(t.admin).expect(200);
      expect(res.body.contributions).toEqual([]);
    });

    it('should answer 401 CONTRIBUTOR_PROOF_REQUIRED when neither a signature nor a key is sent', async () => {
      const res = await exportOf(Wallet.createRandom()).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('CONTRIBUTOR_PROOF_REQUIRED');
    });

    it('should answer 403 ADMIN_KEY_REQUIRED when a key that is not admin asks without a signature', async () => {
      const res = await exportOf(Wallet.createRandom()).set(contributor.headers).expect(403);
      expect(res.body.code).toBe('ADMIN_KEY_REQUIRED');
    });

    it('should answer 401 API_KEY_INVALID when an unknown key asks without a signature', async () => {
      const res = await exportOf(Wallet.createRandom()).set({ authorization: 'Bearer dok_nope' }).expect(401);
      expect(res.body.code).toBe('API_KEY_INVALID');
    });

    it('should answer 400 SIGNATURE_INVALID when another wallet signed, even with an admin key', async () => {
      const wallet = Wallet.createRandom();
      const forged = await contributorProof(wallet, 'export', { signer: Wallet.createRandom() });
      const res = await exportOf(wallet, forged).set(t.admin).expect(400);
      expect(res.body).toMatchObject({ code: 'SIGNATURE_INVALID', status: 400 });
    });

    it('should answer 400 SIGNATURE_INVALID when the signature is of the erasure message', async () => {
      const wallet = Wallet.createRandom();
      const res = await exportOf(wallet, await contributorProof(wallet, 'erasure')).expect(400);
      expect(res.body.code).toBe('SIGNATURE_INVALID');
    });

    it('should answer 422 SIGNATURE_STALE when the timestamp is more than 10 minutes old', async () => {
      const wallet = Wallet.createRandom();
      const stale = await contributorProof(wallet, 'export', { at: new Date(Date.now() - 11 * 60_000) });
      const res = await exportOf(wallet, stale).expect(422);
      expect(res.body).toMatchObject({ code: 'SIGNATURE_STALE', status: 422 });
    });

    it('should answer 400 when the address, the signature or the timestamp is malformed', async () => {
      const wallet = Wallet.createRandom();
      const proof = await contributorProof(wallet, 'export');
      const badAddress = await exportOf('0x1234', proof).expect(400);
      expect(badAddress.body.code).toBe('INVALID_WALLET');
      const badSignature = await exportOf(wallet, { ...proof, signature: '0xabc' }).expect(400);
      expect(badSignature.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'signature' })]),
      );
      const badTime = await exportOf(wallet, { ...proof, timestamp: 'yesterday' }).expect(400);
      expect(badTime.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'timestamp' })]));
      const half = await exportOf(wallet, { signature: proof.signature }).expect(400);
      expect(half.body.code).toBe('SIGNATURE_REQUIRED');
    });
  });

  describe('POST /api/v1/contributors/{walletAddress}/erase', () => {
    it('should delete the rows contents and keep hashes, counts and status when the wallet signs the request', async () => {
      const wallet = Wallet.createRandom();
      const a = await contribute(models[0], wallet, 10);
      const b = await contribute(models[1], wallet, 6);
      const hashesBefore = await ds.query(
        `SELECT "rowHash", credited FROM contribution_rows WHERE "contributionId" = $1 ORDER BY "rowIndex"`,
        [a.id],
      );

      const res = await eraseOf(wallet, await contributorProof(wallet, 'erasure')).expect(200);

      expect(res.body).toMatchObject({ walletAddress: wallet.address, rows: 16 });
      expect(res.body.contributions).toHaveLength(2);
      expect(await storedData(a.id)).toBe(0);
      expect(await storedData(b.id)).toBe(0);
      const hashesAfter = await ds.query(
        `SELECT "rowHash", credited FROM contribution_rows WHERE "contributionId" = $1 ORDER BY "rowIndex"`,
        [a.id],
      );
      expect(hashesAfter).toEqual(hashesBefore);
      const got = await t.http.get(`/api/v1/contributions/${a.id}`).set(contributor.headers).expect(200);
      expect(got.body).toMatchObject({
        status: 'accepted',
        erased: true,
        erasedAt: expect.any(String),
        datasetHash: a.datasetHash,
        counts: { received: 10, accepted: 10 },
        metadata: {},
      });
      const training = await t.app.get(ContributionsService).acceptedRows(models[0], { limit: 10000 });
      expect(training.filter((r) => r.contributionId === a.id)).toEqual([]);

      const events = await erasedEvents(wallet);
      expect(events.map((e) => e.data.model).sort()).toEqual([...models].sort());
      expect(events.find((e) => e.data.model === models[0])).toMatchObject({
        owner: modelOwner.owner,
        data: { contributionIds: [a.id], datasetHashes: [a.datasetHash], rowsErased: 10, by: 'signature' },
      });
    });

    it('should answer the same summary and publish nothing when the erasure is repeated', async () => {
      const wallet = Wallet.createRandom();
      await contribute(models[0], wallet, 3);
      const first = await eraseOf(wallet, await contributorProof(wallet, 'erasure')).expect(200);
      const again = await eraseOf(wallet).set(t.admin).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await erasedEvents(wallet)).toHaveLength(1);
    });

    it('should write one audit record when a wallet erases its data, and none when it repeats', async () => {
      const wallet = Wallet.createRandom();
      await contribute(models[0], wallet, 2);
      await eraseOf(wallet, await contributorProof(wallet, 'erasure')).expect(200);
      await eraseOf(wallet).set(t.admin).expect(200);
      const res = await t.http
        .get(`/api/v1/audit?action=contributor.erase&targetId=${wallet.address}`)
        .set(t.admin)
        .expect(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({
        actor: { keyId: null, owner: null },
        target: { type: 'contributor', id: wallet.address },
        changes: { by: { to: 'signature' }, contributions: { to: 1 }, rowsErased: { to: 2 } },
      });
    });

    it('should show the erased rows as null when the wallet exports after the erasure', async () => {
      const wallet = Wallet.createRandom();
      await contribute(models[1], wallet, 2);
      await eraseOf(wallet).set(t.admin).expect(200);
      const res = await exportOf(wallet, await contributorProof(wallet, 'export')).expect(200);
      expect(res.body.contributions[0]).toMatchObject({ erased: true });
      expect(res.body.contributions[0].rows.map((r: { data: unknown }) => r.data)).toEqual([null, null]);
    });

    it('should delete a stored upload not yet processed and reject its contribution when it is erased', async () => {
      const wallet = Wallet.createRandom();
      const tmp = makeTempDir('erase-upload-');
      try {
        const file = join(tmp.path, 'rows.jsonl');
        writeFileSync(
          file,
          rows(3)
            .map((r) => JSON.stringify(r))
            .join('\n'),
        );
        const principal = { keyId: contributor.id, owner: contributor.owner, scopes: [], isAdmin: false };
        const c = await t.app
          .get(ContributionsService)
          .submitLarge(
            principal,
            models[0],
            { contributor: { walletAddress: wallet.address } },
            { path: file, format: 'jsonl' },
          );
        expect(
          await ds.query(`SELECT 1 FROM contribution_upload_parts WHERE "contributionId" = $1`, [c.id]),
        ).toHaveLength(1);

        const res = await eraseOf(wallet, await contributorProof(wallet, 'erasure')).expect(200);

        expect(res.body.contributions).toEqual([expect.objectContaining({ id: c.id, status: 'rejected', rows: 0 })]);
        const parts = await ds.query(`SELECT 1 FROM contribution_upload_parts WHERE "contributionId" = $1`, [c.id]);
        const uploads = await ds.query(`SELECT 1 FROM contribution_uploads WHERE "contributionId" = $1`, [c.id]);
        expect([parts, uploads]).toEqual([[], []]);
        const got = await t.http.get(`/api/v1/contributions/${c.id}`).set(contributor.headers).expect(200);
        expect(got.body).toMatchObject({ status: 'rejected', rejectionCode: 'ERASED', erased: true });
        // The durable job, when it comes later, finds nothing to process.
        await t.app.get(ContributionsService).processUpload(c.id);
        expect(await storedData(c.id)).toBe(0);
      } finally {
        tmp.remove();
      }
    });

    it('should change nothing when the signature is bad, stale or of another wallet', async () => {
      const wallet = Wallet.createRandom();
      const c = await contribute(models[0], wallet, 4);
      const stale = await contributorProof(wallet, 'erasure', { at: new Date(Date.now() - 20 * 60_000) });
      await eraseOf(wallet, stale).expect(422);
      await eraseOf(wallet, await contributorProof(wallet, 'erasure', { signer: Wallet.createRandom() })).expect(400);
      await eraseOf(wallet, await contributorProof(wallet, 'export')).expect(400);
      await eraseOf(wallet).set(contributor.headers).expect(403);
      await eraseOf('not-a-wallet', await contributorProof(wallet, 'erasure')).expect(400);
      expect(await storedData(c.id)).toBe(4);
      expect(await erasedEvents(wallet)).toEqual([]);
      const got = await t.http.get(`/api/v1/contributions/${c.id}`).set(contributor.headers).expect(200);
      expect(got.body.erased).toBe(false);
    });
  });
});
