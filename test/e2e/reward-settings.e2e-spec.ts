import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel } from '../factories/model.factory';
import { createTestApp, TestApp } from '../support/test-app';

describe('reward settings', () => {
  let t: TestApp;
  let owner: CreatedKey;
  let other: CreatedKey;
  let model: string;
  const url = () => `/api/v1/models/${model}/reward-settings`;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    other = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    model = (await createModel(t, owner.headers, { visibility: 'public' })).name;
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
});
