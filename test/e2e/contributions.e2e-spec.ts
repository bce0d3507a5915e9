import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { ContributionsService, datasetHashOfRows, signatureMessage } from 'src/modules/contributions';
import { PrivacyService } from 'src/modules/privacy';
import { RegistryService } from 'src/modules/registry';
import { AuditService } from 'src/platform/audit';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { IdempotencyService } from 'src/platform/idempotency';
import { QueueService } from 'src/platform/queue';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, features16, MLP } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

type Row = Record<string, unknown>;

const SECRET = 'pseudonym-secret-0123456789abcdef0123456789';
let seed = 0;
/** A fresh row (16 float features and a class label) no other test sends. */
const row = (label = seed % 2 === 0 ? 'yes' : 'no'): Row => {
  seed++;
  return { ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed * 17 + i)])), label };
};
const rows = (n: number): Row[] => Array.from({ length: n }, () => row());

describe('contributions', () => {
  let t: TestApp;
  let modelOwner: CreatedKey;
  let contributor: CreatedKey;
  let outsider: CreatedKey;
  let model: string;
  const wallet = Wallet.createRandom();

  const newModel = async (): Promise<string> => {
    const name = (await createModel(t, modelOwner.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
    await createVersion(t, name, MLP, { features: features16() }, modelOwner.headers);
    await t.http.post(`/api/v1/models/${name}/promote`).set(modelOwner.headers).send({ version: 1 }).expect(200);
    return name;
  };
  const submit = (name: string, body: object, key: CreatedKey = contributor, idempotencyKey?: string) => {
    const req = t.http.post(`/api/v1/models/${name}/contributions`).set(key.headers);
    if (idempotencyKey) req.set('idempotency-key', idempotencyKey);
    return req.send(body);
  };
  const settings = (name: string, body: object) =>
    t.http.put(`/api/v1/models/${name}/contribution-settings`).set(modelOwner.headers).send(body);
  const events = (type: string, id: string): Promise<{ data: Record<string, unknown> }[]> =>
    t.app.get(DataSource).query(`SELECT * FROM events WHERE type = $1 AND data->>'contributionId' = $2`, [type, id]);

  beforeAll(async () => {
    t = await createTestApp({ env: { CONTRIBUTION_PSEUDONYM_SECRET: SECRET } });
    modelOwner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'contributions:read'] });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
    outsider = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
    model = await newModel();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/v1/models/{name}/contributions', () => {
    it('should accept the rows with a report, a dataset hash and both events when the batch is valid', async () => {
      const batch = rows(40);
      const res = await submit(model, {
        rows: batch,
        contributor: { walletAddress: wallet.address.toLowerCase() },
        license: 'CC-BY-4.0',
      }).expect(201);
      expect(res.body).toMatchObject({
        modelName: model,
        status: 'accepted',
        walletAddress: wallet.address,
        counts: { received: 40, accepted: 40, rejected: 0, duplicate: 0 },
        license: 'CC-BY-4.0',
        rejectionCode: null,
        piiSummary: { policy: 'reject', findings: 0, action: 'none' },
      });
      expect(res.body.datasetHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(res.body.datasetHash).toBe(datasetHashOfRows(batch));
      expect(res.body.qualityReport).toMatchObject({ rows: 40, completeness: 1, duplicateRows: 0 });
      expect(res.body.qualityReport.score).toBeGreaterThanOrEqual(0.8);
      expect(res.body.qualityReport.labelCounts).toEqual({ yes: 20, no: 20 });

      const [received] = await events('contribution.received', res.body.id);
      expect(received.data).toMatchObject({ model, rows: 40, walletAddress: wallet.address });
      const [processed] = await events('contribution.processed', res.body.id);
      expect(processed.data).toMatchObject({ status: 'accepted', reason: null });

      const life = await t.http
        .get(`/api/v1/contributions/${res.body.id}/lifecycle`)
        .set(contributor.headers)
        .expect(200);
      expect(life.body.steps.map((s: { state: string }) => s.state)).toEqual(['received', 'validating', 'accepted']);
    });

    it('should mark rows the model already has as duplicates and not credit them when they come again in another order', async () => {
      const batch = rows(20);
      const first = await submit(model, { rows: batch, contributor: { walletAddress: wallet.address } }).expect(201);
      const again = await submit(
        model,
        { rows: [...batch].reverse(), contributor: { walletAddress: Wallet.createRandom().address } },
        outsider,
      ).expect(201);
      expect(again.body.datasetHash).toBe(first.body.datasetHash);
      expect(again.body.counts).toEqual({ received: 20, accepted: 0, rejected: 0, duplicate: 20 });
    });

    it('should credit each row once when two contributions of the same rows race', async () => {
      const name = await newModel();
      const batch = rows(200);
      const [a, b] = await Promise.all([
        submit(name, { rows: batch, contributor: { walletAddress: wallet.address } }),
        submit(name, { rows: batch, contributor: { walletAddress: wallet.address } }, outsider),
      ]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.counts.accepted + b.body.counts.accepted).toBe(200);
      const stored = await t.app.get(ContributionsService).acceptedRows(name, { limit: 1000 });
      expect(stored).toHaveLength(200);
    });

    it('should list bad rows by row, column and code and leave them out when some rows do not match the schema', async () => {
      const good = rows(30);
      const missing = row();
      delete missing.f3;
      const extra = { ...row(), colour: 'red' };
      const mistyped = { ...row(), f5: 'high' };
      const res = await submit(model, {
        rows: [...good, missing, extra, mistyped],
        contributor: { walletAddress: wallet.address },
      }).expect(201);
      expect(res.body.counts).toMatchObject({ received: 33, accepted: 30, rejected: 3 });
      expect(res.body.rowErrors).toEqual([
        { row: 30, column: 'f3', code: 'MISSING_COLUMN' },
        { row: 31, column: 'colour', code: 'UNKNOWN_COLUMN' },
        { row: 32, column: 'f5', code: 'WRONG_TYPE' },
      ]);
    });

    it('should answer 422 NO_ACCEPTABLE_ROWS when no row matches the schema', async () => {
      const res = await submit(model, {
        rows: [{ f0: 1 }, { ...row(), label: null }],
        contributor: { walletAddress: wallet.address },
      }).expect(422);
      expect(res.body.code).toBe('NO_ACCEPTABLE_ROWS');
      expect(res.body.rowErrors).toContainEqual({ row: 1, column: 'label', code: 'MISSING_LABEL' });
      const c = await t.http
        .get(`/api/v1/contributions/${res.body.contributionId}`)
        .set(contributor.headers)
        .expect(200);
      expect(c.body).toMatchObject({ status: 'rejected', rejectionCode: 'NO_ACCEPTABLE_ROWS' });
    });

    it('should answer 400 naming the field when the wallet checksum is wrong', async () => {
      const bad = '0x5AaEB6053f3e94c9B9a09F33669435e7eF1bEaED';
      const res = await submit(model, { rows: rows(5), contributor: { walletAddress: bad } }).expect(400);
      expect(res.body.code).toBe('INVALID_WALLET');
      expect(res.body.errors[0].field).toBe('contributor.walletAddress');
      const short = await submit(model, { rows: rows(5), contributor: { walletAddress: '0x1234' } }).expect(400);
      expect(short.body.errors[0].field).toBe('contributor.walletAddress');
    });

    it('should reject with a low quality reason and answer 201 when the score is below the minimum', async () => {
      const name = await newModel();
      await settings(name, { minQuality: 0.9 }).expect(200);
      const batch = rows(20).map((r) => ({
        ...r,
        f1: null,
        f2: null,
        f3: null,
        f4: null,
        f5: null,
        f6: null,
        f7: null,
        f8: null,
        f9: null,
      }));
      const res = await submit(name, { rows: batch, contributor: { walletAddress: wallet.address } }).expect(201);
      expect(res.body).toMatchObject({ status: 'rejected', rejectionCode: 'LOW_QUALITY' });
      expect(res.body.rejectionReason).toContain('0.9');
      expect(res.body.qualityReport.score).toBeLessThan(0.9);
      const [processed] = await events('contribution.processed', res.body.id);
      expect(processed.data).toMatchObject({ status: 'rejected', code: 'LOW_QUALITY' });
      expect(await t.app.get(ContributionsService).acceptedRows(name)).toHaveLength(0);
    });
  });

  describe('multipart upload', () => {
    const upload = (name: string, file: Buffer, filename: string, fields: Record<string, string>) => {
      const req = t.http.post(`/api/v1/models/${name}/contributions`).set(contributor.headers);
      for (const [k, v] of Object.entries(fields)) req.field(k, v);
      return req.attach('file', file, filename);
    };
    const csv = (batch: Row[]): Buffer => {
      const header = Object.keys(batch[0]);
      return Buffer.from([header.join(','), ...batch.map((r) => header.map((h) => String(r[h])).join(','))].join('\n'));
    };

    it('should accept a CSV file with the same hash as the JSON rows when the rows are valid', async () => {
      const batch = rows(25);
      const res = await upload(model, csv(batch), 'rows.csv', {
        walletAddress: wallet.address,
        license: 'CC0-1.0',
        metadata: JSON.stringify({ source: 'csv' }),
      }).expect(201);
      expect(res.body).toMatchObject({
        status: 'accepted',
        counts: { received: 25, accepted: 25 },
        license: 'CC0-1.0',
        metadata: { source: 'csv' },
      });
      expect(res.body.datasetHash).toBe(datasetHashOfRows(batch));
    });

    it('should accept JSONL and JSON files when the rows are valid', async () => {
      const jsonl = Buffer.from(
        rows(12)
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n',
      );
      const a = await upload(model, jsonl, 'rows.jsonl', { walletAddress: wallet.address }).expect(201);
      expect(a.body.counts.accepted).toBe(12);
      const json = Buffer.from(JSON.stringify(rows(12)));
      const b = await upload(model, json, 'rows.json', { walletAddress: wallet.address }).expect(201);
      expect(b.body.counts.accepted).toBe(12);
    });

    it('should answer 202 with a status URL and process the file in a durable job when it has more than 10,000 rows', async () => {
      const name = await newModel();
      const batch = rows(10_050);
      const file = Buffer.from(batch.map((r) => JSON.stringify(r)).join('\n'));
      const res = await upload(name, file, 'rows.jsonl', { walletAddress: wallet.address }).expect(202);
      expect(res.body).toMatchObject({ status: 'received', statusUrl: `/api/v1/contributions/${res.body.id}` });
      const done = await waitFor(
        async () => {
          const c = await t.http.get(res.body.statusUrl).set(contributor.headers).expect(200);
          return c.body.status === 'accepted' ? c.body : undefined;
        },
        'the large contribution to be accepted',
        60_000,
        250,
      );
      expect(done.counts).toEqual({ received: 10_050, accepted: 10_050, rejected: 0, duplicate: 0 });
      expect(done.datasetHash).toBe(datasetHashOfRows(batch));
      const stored = await t.app.get(ContributionsService).acceptedRows(name, { limit: 20_000 });
      expect(stored).toHaveLength(10_050);
      expect(
        await t.app
          .get(DataSource)
          .query('SELECT 1 FROM contribution_uploads WHERE "contributionId" = $1', [res.body.id]),
      ).toEqual([]);
    });

    it('should answer 400 when the file is not readable or the wallet field is missing', async () => {
      const bad = await upload(model, Buffer.from('{"f0":1}\nnot json'), 'rows.jsonl', {
        walletAddress: wallet.address,
      }).expect(400);
      expect(bad.body).toMatchObject({ code: 'INVALID_FILE' });
      const noWallet = await upload(model, csv(rows(3)), 'rows.csv', {}).expect(400);
      expect(noWallet.body.errors[0].field).toBe('contributor.walletAddress');
      const type = await upload(model, Buffer.from('x'), 'rows.txt', { walletAddress: wallet.address }).expect(400);
      expect(type.body.code).toBe('INVALID_FILE');
    });

    it('should answer 400 naming the field when a JSON body has no rows', async () => {
      const res = await submit(model, { contributor: { walletAddress: wallet.address } }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('rows');
    });
  });

  describe('PII', () => {
    const withEmail = () => [...rows(20), row('mail jane.doe@example.com please')];

    it('should refuse with findings by row, column and type and never the value when the policy is reject', async () => {
      const res = await submit(model, { rows: withEmail(), contributor: { walletAddress: wallet.address } }).expect(
        422,
      );
      expect(res.body.code).toBe('PII_DETECTED');
      expect(res.body.findings).toEqual([{ row: 20, column: 'label', type: 'EMAIL', start: 5, end: 25 }]);
      expect(JSON.stringify(res.body)).not.toContain('jane.doe');
    });

    it('should store the redacted value when the policy is redact', async () => {
      const name = await newModel();
      await settings(name, { piiPolicy: 'redact' }).expect(200);
      const res = await submit(name, { rows: withEmail(), contributor: { walletAddress: wallet.address } }).expect(201);
      expect(res.body.piiSummary).toMatchObject({
        policy: 'redact',
        findings: 1,
        byType: { EMAIL: 1 },
        action: 'redacted',
      });
      const stored = await t.app.get(ContributionsService).acceptedRows(name);
      expect(stored.map((r) => r.data.label)).toContain('mail [REDACTED:EMAIL] please');
      expect(JSON.stringify(stored)).not.toContain('jane.doe');
    });

    it('should store a stable HMAC pseudonym when the policy is pseudonymize', async () => {
      const name = await newModel();
      await settings(name, { piiPolicy: 'pseudonymize' }).expect(200);
      await submit(name, { rows: withEmail(), contributor: { walletAddress: wallet.address } }).expect(201);
      const stored = await t.app.get(ContributionsService).acceptedRows(name);
      const label = stored.map((r) => r.data.label as string).find((l) => l.includes('PSEUDO'));
      expect(label).toMatch(/^mail \[PSEUDO:EMAIL:[0-9a-f]{16}\] please$/);
    });

    it('should refuse to start when a model pseudonymizes and no secret is set', async () => {
      const withoutSecret = new ContributionsService(
        t.app.get(TxHost),
        t.app.get(RegistryService),
        t.app.get(PrivacyService),
        t.app.get(EventsService),
        { ...t.config, CONTRIBUTION_PSEUDONYM_SECRET: undefined },
        t.app.get(QueueService),
        t.app.get(AuditService),
      );
      await expect(withoutSecret.onModuleInit()).rejects.toThrow(/CONTRIBUTION_PSEUDONYM_SECRET must be set/);
      await expect(t.app.get(ContributionsService).onModuleInit()).resolves.toBeUndefined();
      const owner = { keyId: modelOwner.id, owner: modelOwner.owner, scopes: [], isAdmin: false };
      await expect(withoutSecret.updateSettings(owner, model, { piiPolicy: 'pseudonymize' })).rejects.toMatchObject({
        code: 'PSEUDONYMIZE_SECRET_MISSING',
      });
    });
  });

  describe('signatures', () => {
    let signed: string;
    beforeAll(async () => {
      signed = await newModel();
      await settings(signed, { requireSignature: true }).expect(200);
    });

    const signedBody = async (signer: { signMessage(m: string): Promise<string> }, batch: Row[], at = new Date()) => {
      const signedAt = at.toISOString();
      const signature = await signer.signMessage(signatureMessage(signed, datasetHashOfRows(batch), signedAt));
      return { rows: batch, contributor: { walletAddress: wallet.address, signature, signedAt } };
    };

    it('should accept and mark the contribution verified when the signature is good', async () => {
      const res = await submit(signed, await signedBody(wallet, rows(20))).expect(201);
      expect(res.body).toMatchObject({ status: 'accepted', signatureVerified: true });
    });

    it('should answer 400 SIGNATURE_REQUIRED when the model requires a signature and none is given', async () => {
      const res = await submit(signed, { rows: rows(5), contributor: { walletAddress: wallet.address } }).expect(400);
      expect(res.body.code).toBe('SIGNATURE_REQUIRED');
    });

    it('should answer 400 SIGNATURE_INVALID when another wallet signed or the rows changed', async () => {
      const other = await submit(signed, await signedBody(Wallet.createRandom(), rows(5))).expect(400);
      expect(other.body.code).toBe('SIGNATURE_INVALID');
      const body = await signedBody(wallet, rows(5));
      body.rows.push(row());
      expect((await submit(signed, body).expect(400)).body.code).toBe('SIGNATURE_INVALID');
    });

    it('should answer 422 SIGNATURE_STALE when the timestamp is more than 10 minutes old', async () => {
      const body = await signedBody(wallet, rows(5), new Date(Date.now() - 11 * 60 * 1000));
      const res = await submit(signed, body).expect(422);
      expect(res.body.code).toBe('SIGNATURE_STALE');
      expect(res.body.errors[0].field).toBe('contributor.signedAt');
    });
  });

  describe('idempotency', () => {
    it('should replay the stored answer with 200 when the same key and body come again', async () => {
      const body = { rows: rows(10), contributor: { walletAddress: wallet.address } };
      const first = await submit(model, body, contributor, 'contrib-key-1').expect(201);
      const again = await submit(model, body, contributor, 'contrib-key-1').expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const list = await t.http
        .get(`/api/v1/models/${model}/contributions?limit=100`)
        .set(modelOwner.headers)
        .expect(200);
      expect(list.body.items.filter((c: { id: string }) => c.id === first.body.id)).toHaveLength(1);
    });

    it('should answer 422 when the same key comes with another body', async () => {
      await submit(
        model,
        { rows: rows(10), contributor: { walletAddress: wallet.address } },
        contributor,
        'contrib-key-2',
      ).expect(201);
      const res = await submit(
        model,
        { rows: rows(10), contributor: { walletAddress: wallet.address } },
        contributor,
        'contrib-key-2',
      ).expect(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('idempotency while in flight', () => {
    it('should answer 409 when a request with the same key is still running', async () => {
      const body = { rows: rows(5), contributor: { walletAddress: wallet.address } };
      const route = `POST /api/v1/models/${model}/contributions`;
      await t.app
        .get(IdempotencyService)
        .claim(contributor.owner, 'contrib-key-busy', route, IdempotencyService.hash(route, body));
      const res = await submit(model, body, contributor, 'contrib-key-busy').expect(409);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    });

    it('should answer with the stored contribution when a retry comes after a crash between the commit and the answer', async () => {
      const body = { rows: rows(8), contributor: { walletAddress: wallet.address } };
      const first = await submit(model, body, contributor, 'contrib-key-crash').expect(201);
      // The process died after the contribution committed and before the answer was stored: the key is left in
      // progress, past the lease.
      await t.app.get(DataSource).query(
        `UPDATE idempotency_keys SET state = 'in_progress', "responseStatus" = NULL, "responseBody" = NULL,
             "createdAt" = now() - interval '1 hour' WHERE owner = $1 AND key = $2`,
        [contributor.owner, 'contrib-key-crash'],
      );
      const retry = await submit(model, body, contributor, 'contrib-key-crash').expect(201);
      expect(retry.body).toEqual(first.body);
      const replay = await submit(model, body, contributor, 'contrib-key-crash').expect(200);
      expect(replay.body.id).toBe(first.body.id);
      const [{ n }] = await t.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM contributions WHERE owner = $1 AND "idempotencyKey" = $2`, [
          contributor.owner,
          'contrib-key-crash',
        ]);
      expect(n).toBe(1);
    });
  });

  describe('reading', () => {
    let id: string;
    let contributorWallet: string;
    beforeAll(async () => {
      contributorWallet = Wallet.createRandom().address;
      const res = await submit(model, { rows: rows(10), contributor: { walletAddress: contributorWallet } }).expect(
        201,
      );
      id = res.body.id;
    });

    it('should show the contribution to its key owner, the model owner and admins and 404 to others', async () => {
      await t.http.get(`/api/v1/contributions/${id}`).set(contributor.headers).expect(200);
      await t.http.get(`/api/v1/contributions/${id}`).set(modelOwner.headers).expect(200);
      await t.http.get(`/api/v1/contributions/${id}`).set(t.admin).expect(200);
      const res = await t.http.get(`/api/v1/contributions/${id}`).set(outsider.headers).expect(404);
      expect(res.body.code).toBe('CONTRIBUTION_NOT_FOUND');
      await t.http.get(`/api/v1/contributions/${id}/lifecycle`).set(outsider.headers).expect(404);
    });

    it('should list a wallet contributions in any address case when the caller may see them', async () => {
      const mine = await t.http
        .get(`/api/v1/contributors/${contributorWallet.toLowerCase()}/contributions`)
        .set(contributor.headers)
        .expect(200);
      expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
      const theirs = await t.http
        .get(`/api/v1/contributors/${contributorWallet}/contributions`)
        .set(outsider.headers)
        .expect(200);
      expect(theirs.body.items).toEqual([]);
    });

    it('should page a model contributions newest first when a limit is given', async () => {
      const page = await t.http
        .get(`/api/v1/models/${model}/contributions?limit=2`)
        .set(modelOwner.headers)
        .expect(200);
      expect(page.body.items).toHaveLength(2);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const next = await t.http
        .get(`/api/v1/models/${model}/contributions?limit=2&cursor=${page.body.nextCursor}`)
        .set(modelOwner.headers)
        .expect(200);
      expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    });

    it('should answer 403 when someone other than the model owner changes the settings', async () => {
      await t.http
        .put(`/api/v1/models/${model}/contribution-settings`)
        .set(contributor.headers)
        .send({ minQuality: 0 })
        .expect(403);
    });
  });
});
