import { HDNodeWallet, Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { AwardService, MintService, RewardEntity, recoverAttester } from 'src/modules/rewards';
import { ChainService } from 'src/platform/chain';
import { canonicalJson } from 'src/platform/json';
import { createHash } from 'node:crypto';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { acceptedDeltaOne } from '../factories/deltaone.factory';
import { createModel, createVersion, features16, MLP, ModelBody, uniqueModel } from '../factories/model.factory';
import { chainEnv, describeWithChain } from '../support/chain';
import { createTestApp, TestApp } from '../support/test-app';

let seed = 5000;
const rows = (n: number) =>
  Array.from({ length: n }, () => {
    seed++;
    const features = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, Math.sin(seed * 7 + i)]));
    return { ...features, label: seed % 2 === 0 ? 'yes' : 'no' };
  });

describeWithChain('rewards: minting on a real anvil', () => {
  let t: TestApp;
  let ds: DataSource;
  let owner: CreatedKey;
  let contributor: CreatedKey;
  const env = chainEnv({ JOBS_ENABLED: 'false' });

  beforeAll(async () => {
    t = await createTestApp({ env });
    ds = t.app.get(DataSource);
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'rewards:read'] });
    contributor = await createApiKey(t, { scopes: ['contributions:write', 'contributions:read'] });
  });
  afterAll(() => t?.close());

  /** A model whose v2 was trained on contributions of `counts[i]` rows by wallet i (in that order). */
  const modelWithLineage = async (counts: number[]) => {
    const model: ModelBody = await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes' });
    await createVersion(t, model.name, MLP, { features: features16() }, owner.headers);
    await t.http.post(`/api/v1/models/${model.name}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
    const wallets: HDNodeWallet[] = [];
    const ids: string[] = [];
    for (const n of counts) {
      const wallet = Wallet.createRandom();
      wallets.push(wallet);
      const res = await t.http
        .post(`/api/v1/models/${model.name}/contributions`)
        .set(contributor.headers)
        .send({ rows: rows(n), contributor: { walletAddress: wallet.address } })
        .expect(201);
      expect(res.body.status).toBe('accepted');
      ids.push(res.body.id);
    }
    const v2 = await createVersion(
      t,
      model.name,
      uniqueModel(MLP),
      { features: features16(), contributionIds: ids },
      owner.headers,
    );
    return { model, wallets, ids, v2 };
  };

  const reward = (id: string) => ds.getRepository(RewardEntity).findOneByOrFail({ id });
  const mintEvents = async (key: string) => ((await t.app.get(ChainService).findMint(key)) ? 1 : 0);

  it('should mint the shares on chain, confirm, reward the contributions and publish events when a DeltaOne is accepted', async () => {
    const { model, wallets, ids, v2 } = await modelWithLineage([30, 10, 20]);
    await t.http
      .put(`/api/v1/models/${model.name}/reward-settings`)
      .set(owner.headers)
      .send({ tokensPerDeltaOne: '1000', maxReward: '100000', budget: '1000000' })
      .expect(200);
    const accepted = acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }, { deltaBps: 150 });
    const awarded = await t.app.get(AwardService).award(accepted);
    expect(awarded.status).toBe('pending');
    expect(awarded.recipients.map((r) => r.weightBps)).toEqual([5000, 1667, 3333]);
    expect(awarded.total).toBe(String(1500n * 10n ** 18n));

    const done = await t.app.get(MintService).run(awarded.id);
    expect(done).toMatchObject({ status: 'confirmed', confirmations: 1 });
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const chain = t.app.get(ChainService);
    for (const [i, w] of wallets.entries()) {
      expect(await chain.balanceOf(model.tokenId, w.address)).toBe(BigInt(done.recipients[i].amount));
    }
    const sum = done.recipients.reduce((a, r) => a + BigInt(r.amount), 0n);
    expect(sum).toBe(1500n * 10n ** 18n);

    const statuses = await ds.query(`SELECT status FROM contributions WHERE id = ANY($1)`, [ids]);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['rewarded', 'rewarded', 'rewarded']);
    const events = await ds.query(
      `SELECT type, data FROM events WHERE type IN ('reward.minted', 'contribution.rewarded') AND (data->>'rewardId') = $1`,
      [done.id],
    );
    expect(events.filter((e: { type: string }) => e.type === 'contribution.rewarded')).toHaveLength(3);
    const minted = events.find((e: { type: string }) => e.type === 'reward.minted');
    expect(minted.data).toMatchObject({ txHash: done.txHash, total: done.total, amounts: expect.any(Array) });

    const api = await t.http.get(`/api/v1/rewards/${done.id}`).set(owner.headers).expect(200);
    expect(api.body).toMatchObject({ status: 'confirmed', txHash: done.txHash, blockNumber: done.blockNumber });
    const mine = await t.http.get(`/api/v1/contributors/${wallets[0].address}/rewards`).set(owner.headers).expect(200);
    expect(mine.body.balances).toEqual([
      expect.objectContaining({
        tokenId: model.tokenId,
        balance: done.recipients[0].amount,
        rewarded: done.recipients[0].amount,
      }),
    ]);
    expect(mine.body.items.map((r: { id: string }) => r.id)).toEqual([done.id]);
    const list = await t.http.get(`/api/v1/models/${model.name}/rewards`).set(owner.headers).expect(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([done.id]);
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    const mintedMetric = new RegExp(`rewards_minted_tokens_total\\{token="${model.tokenId}"\\} (\\S+)`).exec(metrics);
    expect(Number(mintedMetric?.[1])).toBeCloseTo(Number(BigInt(done.total) / 10n ** 18n), 6);

    const again = await t.app
      .get(AwardService)
      .award(acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }, { deltaBps: 300 }));
    expect(again).toMatchObject({ status: 'skipped', reason: 'NO_CONTRIBUTORS' });

    const att = await t.http
      .get(`/api/v1/evaluations/${accepted.evaluationId}/attestation`)
      .set(owner.headers)
      .expect(200);
    const hash = `0x${createHash('sha256').update(canonicalJson(att.body.document)).digest('hex')}`;
    expect(hash).toBe(att.body.attestationHash);
    expect(recoverAttester(att.body)).toBe(att.body.signer);
    expect(att.body.document.weights).toHaveLength(3);
  });

  it('should mint once when the same award and mint job run twice', async () => {
    const { model, wallets, v2 } = await modelWithLineage([5, 5]);
    const accepted = acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 });
    const a = await t.app.get(AwardService).award(accepted);
    const b = await t.app.get(AwardService).award(accepted);
    expect(b.id).toBe(a.id);
    // Another DeltaOne of the same lineage while the first is still pending pays its contributions no more.
    const other = await t.app
      .get(AwardService)
      .award(acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }));
    expect(other).toMatchObject({ status: 'skipped', reason: 'NO_CONTRIBUTORS' });
    const first = await t.app.get(MintService).run(a.id);
    await ds.getRepository(RewardEntity).update({ id: a.id }, { status: 'pending', blockNumber: null, txHash: null });
    const second = await t.app.get(MintService).run(a.id);
    expect(second.txHash).toBe(first.txHash);
    expect(await mintEvents(a.mintKey)).toBe(1);
    const chain = t.app.get(ChainService);
    expect(await chain.balanceOf(model.tokenId, wallets[0].address)).toBe(BigInt(first.recipients[0].amount));
  });

  it('should record the first mint and not send again when the process died between send and record', async () => {
    const { model, wallets, v2 } = await modelWithLineage([7, 3]);
    const awarded = await t.app
      .get(AwardService)
      .award(acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }));
    // The crash: the transaction is sent and mined, nothing is recorded.
    const sent = await t.app.get(ChainService).mintBatch({
      tokenId: awarded.tokenId,
      key: awarded.mintKey,
      attestationHash: awarded.attestationHash,
      recipients: awarded.recipients.map((r) => r.walletAddress),
      amounts: awarded.recipients.map((r) => BigInt(r.amount)),
    });
    expect((await reward(awarded.id)).status).toBe('pending');
    const recovered = await t.app.get(MintService).run(awarded.id);
    expect(recovered).toMatchObject({ status: 'confirmed', txHash: sent.txHash, blockNumber: sent.blockNumber });
    for (const [i, w] of wallets.entries()) {
      expect(await t.app.get(ChainService).balanceOf(model.tokenId, w.address)).toBe(
        BigInt(awarded.recipients[i].amount),
      );
    }
  });

  it('should leave the reward pending while the chain is down and confirm it when the chain is back', async () => {
    const { model, wallets, v2 } = await modelWithLineage([4]);
    const down = await createTestApp({
      databaseUrl: t.databaseUrl,
      env: { ...env, ETH_RPC_URL: 'http://127.0.0.1:9' },
    });
    try {
      const awarded = await down.app
        .get(AwardService)
        .award(acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }));
      await expect(down.app.get(MintService).run(awarded.id)).rejects.toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
      expect((await reward(awarded.id)).status).toBe('pending');
      const done = await t.app.get(MintService).run(awarded.id);
      expect(done.status).toBe('confirmed');
      expect(await t.app.get(ChainService).balanceOf(model.tokenId, wallets[0].address)).toBe(BigInt(done.total));
    } finally {
      await down.app.close();
    }
  });

  it('should mint nothing and say why when paused, over budget or without contributors', async () => {
    const { model, v2 } = await modelWithLineage([3]);
    const award = (o = {}) =>
      t.app.get(AwardService).award(acceptedDeltaOne(model, { version: v2.version, sha256: v2.sha256 }, o));
    const settings = (body: object) =>
      t.http.put(`/api/v1/models/${model.name}/reward-settings`).set(owner.headers).send(body).expect(200);

    await settings({ paused: true });
    expect(await award()).toMatchObject({ status: 'skipped', reason: 'PAUSED', total: '0' });
    await settings({ paused: false, tokensPerDeltaOne: '10', maxReward: '100', budget: '14.99' });
    expect(await award({ deltaBps: 150 })).toMatchObject({
      status: 'skipped',
      reason: 'BUDGET_EXHAUSTED',
      wanted: String(15n * 10n ** 18n),
    });
    const v3 = await createVersion(t, model.name, uniqueModel(MLP), { features: features16() }, owner.headers);
    const none = await t.app
      .get(AwardService)
      .award(acceptedDeltaOne(model, { version: v3.version, sha256: v3.sha256 }));
    expect(none).toMatchObject({ status: 'skipped', reason: 'NO_CONTRIBUTORS' });
    const failed = await ds.query(
      `SELECT data->>'reason' AS reason FROM events WHERE type = 'reward.failed' AND data->>'model' = $1 ORDER BY id`,
      [model.name],
    );
    expect(failed.map((f: { reason: string }) => f.reason)).toEqual(['PAUSED', 'BUDGET_EXHAUSTED', 'NO_CONTRIBUTORS']);
  });
});
