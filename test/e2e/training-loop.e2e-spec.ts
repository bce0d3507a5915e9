import { Wallet } from 'ethers';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { RewardEntity } from 'src/modules/rewards';
import { ChainService } from 'src/platform/chain';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import { contribute, modelTrainedOn, skewed, trainingRows, truth, uploadDataset } from '../factories/training.factory';
import { chainEnv, describeWithChain } from '../support/chain';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { WebhookReceiver, ReceivedRequest } from '../support/webhook-receiver';
import { FAST_WEBHOOKS } from '../support/webhooks';

interface Body {
  id: string;
  status: string;
  [field: string]: unknown;
}

/**
 * The loop the product is for, on real parts (PostgreSQL, the job queue, anvil, a webhook receiver): contributions
 * → training run → new version → evaluation against production → DeltaOne → tokens to the contributors.
 */
describeWithChain('continual training: contributions to tokens', () => {
  let t: TestApp;
  let ds: DataSource;
  let owner: CreatedKey;
  let contributor: CreatedKey;
  let receiver: WebhookReceiver;

  const settled = (path: string, done: (b: Body) => boolean): Promise<Body> =>
    waitFor(
      async () => {
        const b = (await t.http.get(path).set(owner.headers).expect(200)).body as Body;
        return done(b) ? b : undefined;
      },
      path,
      120_000,
    );
  const headersOf = (r: ReceivedRequest) => ({
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });

  /** A model whose production v1 learnt `base`, a 300-row benchmark labelled by the truth, settings for the loop. */
  const loopModel = async (base: ReturnType<typeof trainingRows>, benchSeed: number): Promise<string> => {
    const name = await modelTrainedOn(t, owner, base);
    await uploadDataset(t, owner, name, 'benchmark', trainingRows(300, benchSeed, truth));
    await t.http
      .put(`/api/v1/models/${name}/deltaone-settings`)
      .set(owner.headers)
      .send({ minExamples: 200 })
      .expect(200);
    await t.http
      .put(`/api/v1/models/${name}/reward-settings`)
      .set(owner.headers)
      .send({ tokensPerDeltaOne: '1000', maxReward: '100000', budget: '1000000' })
      .expect(200);
    return name;
  };

  const train = async (name: string): Promise<{ run: Body; evaluation: Body }> => {
    const started = await t.http.post(`/api/v1/models/${name}/training-runs`).set(owner.headers).send({ seed: 1 });
    expect(started.status).toBe(202);
    const run = await settled(`/api/v1/training-runs/${started.body.id}`, (b) =>
      ['registered', 'failed', 'cancelled'].includes(b.status),
    );
    expect(run).toMatchObject({ status: 'registered', resultVersion: 2, evaluationId: expect.any(String) });
    const evaluation = await settled(`/api/v1/evaluations/${String(run.evaluationId)}`, (b) =>
      ['completed', 'failed'].includes(b.status),
    );
    return { run, evaluation };
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await createTestApp({ env: chainEnv(FAST_WEBHOOKS) });
    ds = t.app.get(DataSource);
    owner = await createApiKey(t, {
      scopes: ['models:read', 'models:write', 'training:write', 'rewards:read', 'webhooks:admin'],
    });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('should mint tokens to both wallets in proportion to their credited rows when their rows make the retrained model better', async () => {
    const name = await loopModel(trainingRows(40, 101, skewed), 102);
    const endpoint = await createWebhookEndpoint(
      t,
      { url: receiver.url('/loop'), eventTypes: ['deltaone.achieved', 'reward.minted'], modelNames: [name] },
      owner.headers,
    );
    const [a, b] = [Wallet.createRandom().address, Wallet.createRandom().address];
    const ids = [
      await contribute(t, contributor, name, a, trainingRows(150, 103, truth)),
      await contribute(t, contributor, name, b, trainingRows(100, 104, truth)),
    ];

    const { run, evaluation } = await train(name);
    expect(run.data).toMatchObject({
      contributions: [
        { id: ids[0], walletAddress: a, creditedRows: 150 },
        { id: ids[1], walletAddress: b, creditedRows: 100 },
      ],
      dropped: [],
    });
    expect(evaluation).toMatchObject({ status: 'completed', accepted: true, reason: 'ACCEPTED' });

    const reward = await waitFor(
      async () => {
        const r = await ds.getRepository(RewardEntity).findOneBy({ evaluationId: evaluation.id });
        return r?.status === 'confirmed' ? r : undefined;
      },
      'the reward to be minted',
      120_000,
    );
    expect(reward.recipients.map((r) => [r.walletAddress, r.creditedRows, r.weightBps])).toEqual([
      [a, 150, 6000],
      [b, 100, 4000],
    ]);
    const chain = t.app.get(ChainService);
    const [ba, bb] = [await chain.balanceOf(reward.tokenId, a), await chain.balanceOf(reward.tokenId, b)];
    expect(ba).toBe(BigInt(reward.recipients[0].amount));
    expect(bb).toBe(BigInt(reward.recipients[1].amount));
    expect(ba > 0n && bb > 0n).toBe(true);
    expect((ba * 10000n) / (ba + bb)).toBe(6000n);

    const received = await waitFor(
      () => {
        const got = receiver.on('/loop');
        const types = got.map((r) => (JSON.parse(r.body) as { type: string }).type);
        return types.includes('deltaone.achieved') && types.includes('reward.minted') ? got : undefined;
      },
      'deltaone.achieved and reward.minted at the receiver',
      60_000,
    );
    for (const r of received) {
      const verified = new Webhook(endpoint.secret).verify(r.body, headersOf(r)) as { type: string; data: object };
      if (verified.type === 'reward.minted') expect(verified.data).toMatchObject({ evaluationId: evaluation.id });
    }
    const statuses = await ds.query(`SELECT status FROM contributions WHERE id = ANY($1) ORDER BY "createdAt"`, [ids]);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['rewarded', 'rewarded']);
  });

  it('should mint nothing and leave the contributions included_in_training when they are pure noise', async () => {
    const name = await loopModel(trainingRows(200, 201, truth), 202);
    const ids = [
      await contribute(t, contributor, name, Wallet.createRandom().address, trainingRows(150, 203, 'noise')),
      await contribute(t, contributor, name, Wallet.createRandom().address, trainingRows(100, 204, 'noise')),
    ];

    const { evaluation } = await train(name);
    expect(evaluation).toMatchObject({ status: 'completed', accepted: false });
    expect(['DELTA_BELOW_THRESHOLD', 'NOT_SIGNIFICANT']).toContain(evaluation.reason);

    expect(await ds.getRepository(RewardEntity).findOneBy({ evaluationId: evaluation.id })).toBeNull();
    const statuses = await ds.query(`SELECT status FROM contributions WHERE id = ANY($1)`, [ids]);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['included_in_training', 'included_in_training']);
  });
});
