import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { TrainingPolicyService } from 'src/modules/training';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createModel, createVersion, LOGREG } from '../factories/model.factory';
import {
  contribute,
  featureSchema,
  modelTrainedOn,
  skewed,
  trainingRows,
  uploadDataset,
} from '../factories/training.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface RunBody {
  id: string;
  status: string;
  [field: string]: unknown;
}

describe('training runs', () => {
  let t: TestApp;
  let owner: CreatedKey;
  let contributor: CreatedKey;
  let reader: CreatedKey;

  const start = (name: string, body: object = {}, key: CreatedKey = owner) =>
    t.http.post(`/api/v1/models/${name}/training-runs`).set(key.headers).send(body);
  const run = async (id: string): Promise<RunBody> =>
    (await t.http.get(`/api/v1/training-runs/${id}`).set(reader.headers).expect(200)).body as RunBody;
  const settle = (id: string): Promise<RunBody> =>
    waitFor(
      async () => {
        const r = await run(id);
        return ['registered', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      `training run ${id}`,
      60_000,
    );
  const runsOf = async (name: string): Promise<RunBody[]> =>
    (await t.http.get(`/api/v1/models/${name}/training-runs`).set(reader.headers).expect(200)).body.items;
  const eventsOf = async (runId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> =>
    t.app.get(DataSource).query(`SELECT type, data FROM events WHERE data->>'runId' = $1 ORDER BY id`, [runId]);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write', 'training:write'] });
    reader = await createApiKey(t, { scopes: ['models:read'] });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should register a version with its lineage, include its contributions and drop benchmark rows when a run completes', async () => {
    const base = trainingRows(40, 1, skewed);
    const name = await modelTrainedOn(t, owner, base);
    const bench = trainingRows(30, 2);
    await uploadDataset(t, owner, name, 'benchmark', bench);
    const wallet = Wallet.createRandom().address;
    const id = await contribute(t, contributor, name, wallet, [...trainingRows(60, 3), ...bench.slice(0, 4)]);

    const res = await start(name, { seed: 7 }).expect(202);
    expect(res.body).toMatchObject({
      status: 'queued',
      family: 'logistic_regression',
      baseVersion: 1,
      seed: 7,
      contributionIds: [id],
      statusUrl: `/api/v1/training-runs/${res.body.id}`,
    });
    const done = await settle(res.body.id);

    expect(done).toMatchObject({
      status: 'registered',
      resultVersion: 2,
      data: {
        contributions: [{ id, walletAddress: wallet, creditedRows: 64 }],
        rows: 40 + 60,
        dropped: [{ reason: 'IN_ACTIVE_BENCHMARK', rows: 4 }],
        features: ['f0', 'f1', 'f2', 'f3'],
        labelColumn: 'label',
      },
      metrics: { training: { accuracy: expect.any(Number) }, validation: { accuracy: expect.any(Number) } },
      evaluationId: expect.any(String),
    });
    const v2 = await t.http.get(`/api/v1/models/${name}/versions/2`).set(reader.headers).expect(200);
    expect(v2.body).toMatchObject({
      parentVersion: 1,
      contributionIds: [id],
      runId: `training-run:${done.id}`,
      sha256: done.resultSha256,
      features: featureSchema(),
    });
    const dataset = (done.data as { dataset: { hash: string } }).dataset;
    expect(v2.body.datasetHash).toBe(dataset.hash);
    const c = await t.http.get(`/api/v1/contributions/${id}`).set(contributor.headers).expect(200);
    expect(c.body.status).toBe('included_in_training');
    expect((await eventsOf(done.id)).map((e) => e.type)).toEqual(['training.started', 'training.completed']);
    const evaluation = await t.http
      .get(`/api/v1/evaluations/${String(done.evaluationId)}`)
      .set(reader.headers)
      .expect(200);
    expect(evaluation.body).toMatchObject({ candidate: { version: 2 }, baseline: { version: 1 } });
    // The contribution carried 4 benchmark rows, which the run dropped: the candidate never saw them.
    const decided = await waitFor(
      async () => {
        const r = await t.http.get(`/api/v1/evaluations/${String(done.evaluationId)}`).set(reader.headers);
        return r.body.status === 'completed' && (r.body as { leakedRows: number; reason: string });
      },
      'the evaluation decided',
      60_000,
    );
    expect(decided.leakedRows).toBe(0);
    expect(decided.reason).not.toBe('BENCHMARK_LEAKAGE');

    const metrics = await t.http.get('/metrics').set(t.admin).expect(200);
    expect(metrics.text).toMatch(/training_runs_total\{status="registered"\} [1-9]/);
  });

  it('should give byte-identical models when two runs have the same inputs and seed', async () => {
    const name = await modelTrainedOn(t, owner, trainingRows(120, 4));
    const first = await settle((await start(name, { seed: 42, hyperparameters: { l2: 0.01 } }).expect(202)).body.id);
    const second = await settle((await start(name, { seed: 42, hyperparameters: { l2: 0.01 } }).expect(202)).body.id);
    expect([first.status, second.status]).toEqual(['registered', 'registered']);
    expect([first.resultVersion, second.resultVersion]).toEqual([2, 3]);
    const sha = async (v: number) =>
      (await t.http.get(`/api/v1/models/${name}/versions/${v}`).set(reader.headers).expect(200)).body.sha256;
    expect(await sha(2)).toBe(await sha(3));
    expect(await sha(2)).toBe(first.resultSha256);

    // With v2 in production, a run given neither family nor hyperparameters takes v2's from its lineage.
    await t.http.post(`/api/v1/models/${name}/promote`).set(owner.headers).send({ version: 2 }).expect(200);
    const inherited = await start(name).expect(202);
    expect(inherited.body).toMatchObject({
      baseVersion: 2,
      family: 'logistic_regression',
      hyperparameters: { l2: 0.01 },
    });
    await settle(inherited.body.id);
  });

  it('should cancel a running run and register nothing when it is cancelled', async () => {
    const name = await modelTrainedOn(t, owner, trainingRows(2000, 5));
    const res = await start(name, {
      family: 'mlp_classifier',
      hyperparameters: { hiddenUnits: 256, epochs: 500, batchSize: 1 },
    }).expect(202);
    await waitFor(async () => ((await run(res.body.id)).progress ? true : undefined), 'progress', 60_000);

    const cancelled = await t.http.post(`/api/v1/training-runs/${res.body.id}/cancel`).set(owner.headers).expect(200);
    expect(cancelled.body.cancelRequested).toBe(true);
    const done = await settle(res.body.id);
    expect(done).toMatchObject({ status: 'cancelled', resultVersion: null });
    const versions = await t.http.get(`/api/v1/models/${name}/versions`).set(reader.headers).expect(200);
    expect(versions.body.items).toHaveLength(1);
    const again = await t.http.post(`/api/v1/training-runs/${res.body.id}/cancel`).set(owner.headers).expect(409);
    expect(again.body.code).toBe('TRAINING_RUN_FINISHED');
  });

  it('should stream progress as Server-Sent Events and end with the final state when the run ends', async () => {
    const name = await modelTrainedOn(t, owner, trainingRows(300, 6));
    const res = await start(name, { family: 'mlp_classifier', hyperparameters: { epochs: 40 } }).expect(202);
    const stream = await t.http
      .get(`/api/v1/training-runs/${res.body.id}/events`)
      .set(reader.headers)
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString('utf8')));
        r.on('end', () => cb(null, text));
      })
      .expect(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = (stream.body as string)
      .trim()
      .split('\n\n')
      .map((block) => {
        const [event, data] = block.split('\n');
        return { event: event.replace('event: ', ''), data: JSON.parse(data.replace('data: ', '')) };
      });
    expect(events.filter((e) => e.event === 'status').map((e) => e.data.status)).toContain('registered');
    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'end', data: { id: res.body.id, status: 'registered', resultVersion: 2 } });
    for (const p of events.filter((e) => e.event === 'progress')) {
      expect(p.data).toEqual({
        iteration: expect.any(Number),
        loss: expect.any(Number),
        elapsedMs: expect.any(Number),
      });
    }
  });

  describe('bad input', () => {
    let name: string;

    beforeAll(async () => {
      name = await modelTrainedOn(t, owner, trainingRows(50, 8));
    });

    it('should refuse an unknown family with 400 naming family and create no run', async () => {
      const res = await start(name, { family: 'random_forest' }).expect(400);
      expect(res.body).toMatchObject({ code: 'UNKNOWN_TRAINER_FAMILY', errors: [{ field: 'family' }] });
      expect(await runsOf(name)).toEqual([]);
    });

    it('should refuse hyperparameters out of range with 400 naming each and create no run', async () => {
      const res = await start(name, { hyperparameters: { l2: -1, maxIterations: 0.5 } }).expect(400);
      expect(res.body.code).toBe('INVALID_HYPERPARAMETERS');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'hyperparameters.l2',
        'hyperparameters.maxIterations',
      ]);
      expect(await runsOf(name)).toEqual([]);
    });

    it('should refuse with 422 NO_TRAINING_ROWS when the model has no training data', async () => {
      const empty = await modelTrainedOn(t, owner, []);
      const res = await start(empty).expect(422);
      expect(res.body).toMatchObject({ code: 'NO_TRAINING_ROWS', errors: [{ field: 'rows' }] });
      expect(await runsOf(empty)).toEqual([]);
    });

    it('should refuse with 422 SINGLE_CLASS_LABEL when every training row has the same label', async () => {
      const rows = trainingRows(30, 9).map((r) => ({ ...r, label: 1 }));
      const single = await modelTrainedOn(t, owner, trainingRows(30, 10));
      await uploadDataset(t, owner, single, 'training', rows);
      const res = await start(single).expect(422);
      expect(res.body).toMatchObject({ code: 'SINGLE_CLASS_LABEL', errors: [{ field: 'labelColumn' }] });
      expect(await runsOf(single)).toEqual([]);
    });

    it('should refuse with 422 NO_FEATURE_SCHEMA when the production version declares no features', async () => {
      const bare = (await createModel(t, owner.headers, { labelColumn: 'label', labelKind: 'classes' })).name;
      await createVersion(t, bare, LOGREG, {}, owner.headers);
      await t.http.post(`/api/v1/models/${bare}/promote`).set(owner.headers).send({ version: 1 }).expect(200);
      const res = await start(bare).expect(422);
      expect(res.body).toMatchObject({ code: 'NO_FEATURE_SCHEMA', errors: [{ field: 'production' }] });
      expect(await runsOf(bare)).toEqual([]);
    });

    it('should refuse a contribution that is not accepted for this model with 422 naming contributionIds', async () => {
      const res = await start(name, { contributionIds: ['0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b'] }).expect(422);
      expect(res.body).toMatchObject({ code: 'CONTRIBUTION_NOT_USABLE', errors: [{ field: 'contributionIds' }] });
    });

    it('should refuse a second run with 409 TRAINING_RUN_ACTIVE when one is queued or running', async () => {
      const busy = await modelTrainedOn(t, owner, trainingRows(60, 11));
      const first = await start(busy).expect(202);
      const res = await start(busy).expect(409);
      expect(res.body.code).toBe('TRAINING_RUN_ACTIVE');
      await settle(first.body.id);
    });
  });

  describe('training policy', () => {
    it('should start a run from the policy when enough new credited rows arrived', async () => {
      const name = await modelTrainedOn(t, owner, trainingRows(40, 12, skewed));
      const policy = await t.http.get(`/api/v1/models/${name}/training-policy`).set(reader.headers).expect(200);
      expect(policy.body).toMatchObject({ enabled: false });
      await t.http
        .put(`/api/v1/models/${name}/training-policy`)
        .set(owner.headers)
        .send({ enabled: true, minNewRows: 50, minIntervalMinutes: 60 })
        .expect(200);
      const policies = t.app.get(TrainingPolicyService);
      await contribute(t, contributor, name, Wallet.createRandom().address, trainingRows(30, 13));
      expect((await policies.checkPolicies()).filter((r) => r.modelName === name)).toEqual([]);

      await contribute(t, contributor, name, Wallet.createRandom().address, trainingRows(30, 14));
      const started = (await policies.checkPolicies()).filter((r) => r.modelName === name);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ trigger: 'policy' });
      expect(started[0].contributionIds).toHaveLength(2);
      const done = await settle(started[0].id);
      expect(done.status).toBe('registered');
      // Within minIntervalMinutes nothing else starts, whatever arrives.
      await contribute(t, contributor, name, Wallet.createRandom().address, trainingRows(80, 15));
      expect((await policies.checkPolicies()).filter((r) => r.modelName === name)).toEqual([]);
    });

    it("should start a run from the policy when production's measured metric is below the threshold", async () => {
      const name = await modelTrainedOn(t, owner, trainingRows(40, 18, skewed));
      await uploadDataset(t, owner, name, 'benchmark', trainingRows(100, 19));
      const first = await settle((await start(name).expect(202)).body.id);
      await waitFor(
        async () => {
          const e = await t.http.get(`/api/v1/evaluations/${String(first.evaluationId)}`).set(reader.headers);
          return e.body.status === 'completed' ? true : undefined;
        },
        'the evaluation of v2 against v1',
        60_000,
      );
      const policies = t.app.get(TrainingPolicyService);
      const put = (onlyWhenMetricBelow: number) =>
        t.http
          .put(`/api/v1/models/${name}/training-policy`)
          .set(owner.headers)
          .send({ enabled: true, minNewRows: 1_000_000, minIntervalMinutes: 0, onlyWhenMetricBelow })
          .expect(200);

      // v1 (production) learnt the skewed rule: far from perfect on the benchmark, never below 0.
      await put(0);
      expect((await policies.checkPolicies()).filter((r) => r.modelName === name)).toEqual([]);
      await put(0.99);
      const started = (await policies.checkPolicies()).filter((r) => r.modelName === name);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ trigger: 'policy', baseVersion: 1 });
      await settle(started[0].id);
    });

    it('should refuse a policy with 400 naming the field when minNewRows is not a positive integer', async () => {
      const name = await modelTrainedOn(t, owner, trainingRows(20, 16));
      const res = await t.http
        .put(`/api/v1/models/${name}/training-policy`)
        .set(owner.headers)
        .send({ enabled: true, minNewRows: 0, minIntervalMinutes: 5 })
        .expect(400);
      expect(res.body.errors[0].field).toBe('minNewRows');
    });
  });
});
