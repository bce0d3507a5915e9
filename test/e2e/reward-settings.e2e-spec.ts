import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { REWARDS_AWARD_QUEUE } from 'src/modules/deltaone';
import { jobIdFor, QueueService } from 'src/platform/queue';
import { acceptedDeltaOne } from '../factories/deltaone.factory';
import { createModel, createVersion, ModelBody } from '../factories/model.factory';
import { waitFor } from '../support/wait';
import { createTestApp, TestApp } from '../support/test-app';

describe('reward settings', () => {
  let t: TestApp;
  let owner: CreatedKey;
  let other: CreatedKey;
  let model: string;
  let body: ModelBody;
  const url = () => `/api/v1/models/${model}/reward-settings`;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    other = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    body = await createModel(t, owner.headers, { visibility: 'public' });
    model = body.name;
  });
  afterAll(() => t?.close());

  it('should answer the defaults when the owner never set them', async () => {
    const res = await t.http.get(url()).set(owner.headers).expect(200);
    expect(res.body).toEqual({
      modelName: model,
      tokensPerDeltaOne: '250000',
      maxReward: '2500000',
      budget: '1500000',
      paused: false,
      awarded: '0',
      remaining: '1500000',
    });
  });

  it('should keep decimal amounts exactly and audit the change when the owner sets them', async () => {
    const res = await t.http
      .put(url())
      .set(owner.headers)
      .send({ tokensPerDeltaOne: '1000.000000000000000001', budget: '0.3', paused: true })
      .expect(200);
    expect(res.body).toMatchObject({ tokensPerDeltaOne: '1000.000000000000000001', budget: '0.3', paused: true });
    expect((await t.http.get(url()).set(owner.headers).expect(200)).body).toEqual(res.body);
    const audit = await t.http
      .get('/api/v1/audit')
      .query({ action: 'reward_settings.update' })
      .set(t.admin)
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'reward_settings.update',
      target: { type: 'reward_settings', id: model },
    });
  });

  it('should refuse with 403 when a key that does not own the model changes them', async () => {
    const res = await t.http.put(url()).set(other.headers).send({ paused: false }).expect(403);
    expect(res.body.code).toBe('NOT_MODEL_OWNER');
  });

  it('should refuse with 400 naming the field when an amount is not an exact decimal', async () => {
    for (const bad of ['1e3', '-1', '0.0000000000000000001', 12]) {
      const res = await t.http.put(url()).set(owner.headers).send({ maxReward: bad }).expect(400);
      expect(JSON.stringify(res.body)).toContain('maxReward');
    }
  });

  it('should refuse with 404 when the rewards do not exist', async () => {
    const key = await createApiKey(t, { scopes: ['rewards:read'] });
    await t.http.get('/api/v1/rewards/00000000-0000-4000-8000-000000000000').set(key.headers).expect(404);
    await t.http
      .get('/api/v1/evaluations/00000000-0000-4000-8000-000000000000/attestation')
      .set(key.headers)
      .expect(404);
    const bad = await t.http.get('/api/v1/contributors/0x123/rewards').set(key.headers).expect(400);
    expect(bad.body.code).toBe('INVALID_WALLET');
  });

  it('should turn a rewards.award job into a reward with its attestation when deltaone enqueues one', async () => {
    await t.http.put(url()).set(owner.headers).send({ paused: false }).expect(200);
    const v1 = await createVersion(t, model, undefined, {}, owner.headers);
    const accepted = acceptedDeltaOne(body, { version: v1.version, sha256: v1.sha256 });
    const queue = t.app.get(QueueService);
    await queue.enqueue(REWARDS_AWARD_QUEUE, accepted, { id: jobIdFor(REWARDS_AWARD_QUEUE, accepted.evaluationId) });
    const reader = await createApiKey(t, { scopes: ['rewards:read'] });
    const att = await waitFor(async () => {
      const res = await t.http.get(`/api/v1/evaluations/${accepted.evaluationId}/attestation`).set(reader.headers);
      return res.status === 200 && res.body;
    }, 'the attestation');
    expect(att.document).toMatchObject({ evaluationId: accepted.evaluationId, deltaBps: 150, weights: [] });
    const reward = await t.http.get(`/api/v1/rewards/${att.rewardId}`).set(reader.headers).expect(200);
    expect(reward.body).toMatchObject({ status: 'skipped', reason: 'NO_CONTRIBUTORS', total: '0' });
  });
});
