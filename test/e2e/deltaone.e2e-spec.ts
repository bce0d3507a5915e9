import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { REWARDS_AWARD_QUEUE } from 'src/modules/deltaone';
import { jobIdFor } from 'src/platform/queue';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { features16, MLP } from '../factories/model.factory';
import { featureRows, labelledBy, modelWithTwoVersions, uploadBenchmark } from '../factories/deltaone.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface EvaluationBody {
  id: string;
  status: string;
  reason: string | null;
  [field: string]: unknown;
}

describe('DeltaOne evaluations', () => {
  let t: TestApp;
  let owner: CreatedKey;
  let reader: CreatedKey;
  let outsider: CreatedKey;

  const evaluate = (name: string, body: object, key: CreatedKey = owner) =>
    t.http.post(`/api/v1/models/${name}/evaluations`).set(key.headers).send(body);
  const settle = (id: string): Promise<EvaluationBody> =>
    waitFor(
      async () => {
        const res = await t.http.get(`/api/v1/evaluations/${id}`).set(reader.headers).expect(200);
        const body = res.body as EvaluationBody;
        return body.status === 'completed' || body.status === 'failed' ? body : undefined;
      },
      `evaluation ${id}`,
      60_000,
    );
  const eventsOf = async (id: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> =>
    t.app.get(DataSource).query(`SELECT type, data FROM events WHERE data->>'evaluationId' = $1 ORDER BY id`, [id]);
  const awardJobs = async (id: string): Promise<Array<{ data: Record<string, unknown> }>> =>
    t.app
      .get(DataSource)
      .query('SELECT data FROM pgboss.job WHERE name = $1 AND id = $2', [
        REWARDS_AWARD_QUEUE,
        jobIdFor(REWARDS_AWARD_QUEUE, id),
      ]);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
    reader = await createApiKey(t, { scopes: ['rewards:read'] });
    outsider = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should accept a better candidate, publish the events and hand the decision to rewards when every gate passes', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const bench = await uploadBenchmark(t, owner, name, await labelledBy(t, name, 2, featureRows(300)));
    await t.http
      .put(`/api/v1/models/${name}/deltaone-settings`)
      .set(owner.headers)
      .send({ minExamples: 200 })
      .expect(200);

    const res = await evaluate(name, { candidateVersion: 2 }).expect(202);
    expect(res.body).toMatchObject({ status: 'queued', statusUrl: `/api/v1/evaluations/${res.body.id}` });
    const e = await settle(res.body.id);

    expect(e).toMatchObject({
      status: 'completed',
      model: name,
      benchmarkId: bench.id,
      benchmarkHash: bench.hash,
      metric: 'accuracy',
      n: 300,
      accepted: true,
      reason: 'ACCEPTED',
      leakedRows: 0,
      baseline: { version: 1 },
      candidate: { version: 2, metricBps: 10000 },
      settings: { minExamples: 200, thresholdBps: 100 },
    });
    expect(e.deltaBps).toBe(10000 - (e.baseline as { metricBps: number }).metricBps);
    expect(e.statistics).toMatchObject({ paired: { test: 'mcnemar_exact', b: 0 }, alpha: 0.05, significant: true });

    const events = await eventsOf(e.id);
    expect(events.map((x) => x.type)).toEqual(['evaluation.completed', 'deltaone.achieved']);
    const jobs = await awardJobs(e.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].data).toMatchObject({
      evaluationId: e.id,
      modelName: name,
      metric: 'accuracy',
      direction: 'higher',
      benchmark: { datasetId: bench.id, hash: bench.hash },
      candidate: { version: 2, metricBps: 10000 },
      deltaBps: e.deltaBps,
      n: 300,
    });

    // The same model and benchmark again, within the 24 h cooldown: rejected, nothing handed to rewards.
    const again = await settle((await evaluate(name, { candidateVersion: 2, baselineVersion: 1 }).expect(202)).body.id);
    expect(again).toMatchObject({ accepted: false, reason: 'COOLDOWN_ACTIVE' });
    expect((await eventsOf(again.id)).map((x) => x.type)).toEqual(['evaluation.completed', 'deltaone.rejected']);
    expect((await eventsOf(again.id))[1].data).toMatchObject({ reason: 'COOLDOWN_ACTIVE' });
    expect(await awardJobs(again.id)).toHaveLength(0);

    const page = await t.http.get(`/api/v1/models/${name}/deltaone`).set(reader.headers).expect(200);
    expect(page.body.items.map((x: EvaluationBody) => x.id)).toEqual([again.id, e.id]);
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toContain('deltaone_decisions_total{reason="ACCEPTED"} 1');
    expect(metrics).toContain('deltaone_decisions_total{reason="COOLDOWN_ACTIVE"} 1');
  });

  it('should reject with INSUFFICIENT_SAMPLES when the benchmark has fewer rows than the default 800', async () => {
    const name = await modelWithTwoVersions(t, owner);
    await uploadBenchmark(t, owner, name, await labelledBy(t, name, 2, featureRows(100, 2)));
    const e = await settle((await evaluate(name, { candidateVersion: 2 }).expect(202)).body.id);
    expect(e).toMatchObject({ status: 'completed', n: 100, accepted: false, reason: 'INSUFFICIENT_SAMPLES' });
    expect(await awardJobs(e.id)).toHaveLength(0);
  });

  it('should reject with BENCHMARK_LEAKAGE when the candidate declares the benchmark as its training data', async () => {
    const rows = featureRows(250, 3);
    const name = await modelWithTwoVersions(t, owner);
    const bench = await uploadBenchmark(t, owner, name, await labelledBy(t, name, 2, rows));
    await t.http
      .put(`/api/v1/models/${name}/deltaone-settings`)
      .set(owner.headers)
      .send({ minExamples: 200 })
      .expect(200);
    await t.http
      .post(`/api/v1/models/${name}/versions`)
      .set(owner.headers)
      .field(
        'metadata',
        JSON.stringify({ features: features16(), datasetHash: bench.hash, metrics: { accuracy: 0.99 } }),
      )
      .attach('file', MLP)
      .expect(201);
    const e = await settle((await evaluate(name, { candidateVersion: 3 }).expect(202)).body.id);
    expect(e).toMatchObject({ accepted: false, reason: 'BENCHMARK_LEAKAGE', leakedRows: 250 });
    // The declared metric is shown apart and is not the computed one.
    expect(e.candidate).toMatchObject({ declaredMetrics: { accuracy: 0.99 }, metricBps: 10000 });
  });

  it('should reject with BENCHMARK_LEAKAGE when contributions in the candidate lineage hold benchmark rows', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const labelled = await labelledBy(t, name, 2, featureRows(220, 4));
    await uploadBenchmark(t, owner, name, labelled);
    await t.http
      .put(`/api/v1/models/${name}/deltaone-settings`)
      .set(owner.headers)
      .send({ minExamples: 200 })
      .expect(200);
    const contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write'] });
    const contribution = await t.http
      .post(`/api/v1/models/${name}/contributions`)
      .set(contributor.headers)
      .send({
        rows: labelled.slice(0, 20),
        contributor: { walletAddress: Wallet.createRandom().address.toLowerCase() },
        license: 'CC-BY-4.0',
      })
      .expect(201);
    expect(contribution.body).toMatchObject({ status: 'accepted', counts: { accepted: 20 } });
    await t.http
      .post(`/api/v1/models/${name}/versions`)
      .set(owner.headers)
      .field('metadata', JSON.stringify({ features: features16(), contributionIds: [contribution.body.id] }))
      .attach('file', MLP)
      .expect(201);
    const e = await settle((await evaluate(name, { candidateVersion: 3 }).expect(202)).body.id);
    expect(e).toMatchObject({ accepted: false, reason: 'BENCHMARK_LEAKAGE', leakedRows: 20 });
    expect(await awardJobs(e.id)).toHaveLength(0);
  });

  it('should refuse to start an evaluation when the key is not the model owner', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const res = await evaluate(name, { candidateVersion: 2 }, outsider).expect(403);
    expect(res.body.code).toBe('NOT_MODEL_OWNER');
  });

  it('should answer 422 NO_BENCHMARK when the model has no benchmark', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const res = await evaluate(name, { candidateVersion: 2 }).expect(422);
    expect(res.body.code).toBe('NO_BENCHMARK');
  });

  it('should refuse to read an evaluation when the key has neither models:read nor rewards:read', async () => {
    const key = await createApiKey(t, { scopes: ['predict'] });
    const res = await t.http.get('/api/v1/evaluations/0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b').set(key.headers);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
  });
});
