import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PredictionLog } from 'src/modules/experiments';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createExperiment } from '../factories/experiment.factory';
import { createModel, createVersion, features16, LOGREG, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';

const row = JSON.stringify({ instances: [Array.from({ length: 16 }, (_, i) => i / 16)] });

describe('experiments: the prediction log and outcomes', () => {
  let dir: { path: string; remove: () => void };
  let t: TestApp;
  let alice: CreatedKey;
  let bob: CreatedKey;
  let model: string;
  let experimentId: string;
  let ds: DataSource;

  beforeAll(async () => {
    dir = makeTempDir('exp-outcomes-');
    t = await createTestApp({ env: { ARTIFACT_DIR: dir.path } });
    ds = t.app.get(DataSource);
    alice = await createApiKey(t, {
      owner: 'alice',
      scopes: ['predict', 'models:write', 'experiments:write', 'experiments:read'],
    });
    bob = await createApiKey(t, { owner: 'bob', scopes: ['predict'] });
    model = (await createModel(t, alice.headers)).name;
    await createVersion(t, model, LOGREG, { features: features16() }, alice.headers);
    await createVersion(t, model, MLP, { features: features16() }, alice.headers);
    await t.http.post(`/api/v1/models/${model}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    experimentId = (await createExperiment(t, alice.headers, model)).id;
    await t.http.post(`/api/v1/experiments/${experimentId}/start`).set(alice.headers).expect(200);
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const predict = async (headers: Record<string, string>, query = '') =>
    (
      await t.http
        .post(`/api/v1/models/${model}/predict${query}`)
        .set({ ...headers, 'content-type': 'application/json' })
        .send(row)
        .expect(200)
    ).body as { requestId: string; experiment?: { variant: string; version: number } };

  const assignmentOf = (experimentId: string) => ({
    experimentId,
    experiment: 'written by the test',
    variant: 'control',
    version: 1,
    random: false,
    shadow: null,
    unitHeader: 'x-user-id',
    weightsSince: Date.now(),
  });

  const outcome = (requestId: string, value: unknown, headers = alice.headers) =>
    t.http.post(`/api/v1/predictions/${requestId}/outcome`).set(headers).send({ value });

  it('should log a routed prediction with its experiment, variant, version and unit when the log is flushed', async () => {
    const served = await predict({ ...alice.headers, 'x-user-id': 'u-1' });
    await t.app.get(PredictionLog).flush();
    const [logged] = await ds.query(`SELECT * FROM experiment_predictions WHERE "requestId" = $1`, [served.requestId]);
    expect(logged).toMatchObject({
      experimentId,
      variant: served.experiment!.variant,
      version: served.experiment!.version,
      servedVersion: served.experiment!.version,
      unit: 'u-1',
      random: false,
      callerOwner: 'alice',
      error: null,
      outcome: null,
    });
    expect(logged.latencyMs).toBeGreaterThan(0);
  });

  it('should record an outcome once, answer the same value again idempotently and refuse a different one', async () => {
    const served = await predict({ ...alice.headers, 'x-user-id': 'u-2' });
    // Not flushed yet: the outcome route writes the buffered log first.
    const first = await outcome(served.requestId, 1).expect(200);
    expect(first.body).toMatchObject({ requestId: served.requestId, experimentId, value: 1, created: true });
    const again = await outcome(served.requestId, 1).expect(200);
    expect(again.body.created).toBe(false);
    const conflict = await outcome(served.requestId, 0).expect(409);
    expect(conflict.body.code).toBe('OUTCOME_CONFLICT');
  });

  it('should answer 404 for a request id no experiment served, and for another owner', async () => {
    const unrouted = await predict(alice.headers, '?version=1');
    expect((await outcome(unrouted.requestId, 1).expect(404)).body.code).toBe('PREDICTION_NOT_FOUND');
    await outcome('never-served', 1).expect(404);
    const served = await predict({ ...alice.headers, 'x-user-id': 'u-3' });
    await outcome(served.requestId, 1, bob.headers).expect(404);
  });

  it('should answer 400 naming value when a proportion outcome is not 0 or 1', async () => {
    const served = await predict({ ...alice.headers, 'x-user-id': 'u-4' });
    const res = await outcome(served.requestId, 0.5).expect(400);
    expect(res.body.errors[0].field).toBe('value');
    const notNumber = await outcome(served.requestId, 'yes').expect(400);
    expect(notNumber.body.errors[0].field).toBe('value');
  });

  it('should report per-variant counts, outcomes, latency and an always-valid decision when results are asked', async () => {
    const served: Array<{ requestId: string; variant: string }> = [];
    for (let i = 0; i < 12; i++) {
      const p = await predict({ ...alice.headers, 'x-user-id': `r-${i}` });
      served.push({ requestId: p.requestId, variant: p.experiment!.variant });
    }
    await predict(alice.headers);
    for (const [i, p] of served.entries()) await outcome(p.requestId, i % 2).expect(200);
    const res = await t.http.get(`/api/v1/experiments/${experimentId}/results`).set(alice.headers).expect(200);
    expect(res.body).toMatchObject({
      experimentId,
      status: 'running',
      decision: 'continue',
      promotable: false,
      fixedHorizonNote: 'valid only at the planned sample size',
    });
    const byName = new Map(res.body.variants.map((v: { name: string }) => [v.name, v]));
    for (const name of ['control', 'treatment']) {
      const mine = served.filter((p) => p.variant === name).length;
      const v = byName.get(name) as {
        units: number;
        outcomes: number;
        latencyMs: { p95: number };
        statistics: { summary?: unknown };
      };
      expect(v.units).toBeGreaterThanOrEqual(mine);
      expect(v.outcomes).toBeGreaterThanOrEqual(mine);
      expect(v.latencyMs.p95).toBeGreaterThan(0);
      expect(v.statistics.summary).toBeDefined();
    }
    const total = res.body.variants.reduce((n: number, v: { randomPredictions: number }) => n + v.randomPredictions, 0);
    expect(total).toBe(1);
    expect(res.body.sampleRatio).toHaveProperty('pValue');
  });

  it('should keep running totals equal to the whole log when predictions, repeats and outcomes come in', async () => {
    const log = t.app.get(PredictionLog);
    const served: string[] = [];
    for (let i = 0; i < 30; i++) {
      const p = await predict({ ...alice.headers, 'x-user-id': `tot-${i % 7}` });
      served.push(p.requestId);
    }
    await predict(alice.headers);
    await log.flush();
    // A request id the log already holds (a client replaying its X-Request-Id) adds nothing.
    await predict({ ...alice.headers, 'x-user-id': 'tot-0', 'x-request-id': served[0] });
    await log.flush();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM experiment_predictions WHERE "requestId" = $1`, [
      served[0],
    ]);
    expect(n).toBe(1);
    for (const [i, id] of served.entries()) if (i % 3 !== 0) await outcome(id, i % 2).expect(200);
    await outcome(served[1], 1).expect(200);
    const whole: Array<Record<string, number | string>> = await ds.query(
      `SELECT variant, count(*)::int AS predictions, count(*) FILTER (WHERE random)::int AS "randomPredictions",
              count(error)::int AS errors, count(outcome)::int AS outcomes, coalesce(sum(outcome), 0)::float8 AS "outcomeSum",
              count(DISTINCT unit) FILTER (WHERE NOT random)::int AS units
         FROM experiment_predictions WHERE "experimentId" = $1 GROUP BY variant ORDER BY variant`,
      [experimentId],
    );
    const res = await t.http.get(`/api/v1/experiments/${experimentId}/results`).set(alice.headers).expect(200);
    const reported = [...res.body.variants]
      .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name))
      .map((v: Record<string, number | string>) => ({
        variant: v.name,
        predictions: v.predictions,
        randomPredictions: v.randomPredictions,
        errors: v.errors,
        outcomes: v.outcomes,
        units: v.units,
      }));
    expect(reported).toEqual(whole.map(({ outcomeSum: _sum, ...rest }) => rest));
    const totals: Array<{ outcomeSum: number }> = await ds.query(
      `SELECT "outcomeSum" FROM experiment_variant_totals WHERE "experimentId" = $1 ORDER BY variant`,
      [experimentId],
    );
    expect(totals.map((x) => x.outcomeSum)).toEqual(whole.map((x) => x.outcomeSum));
  });

  it('should log a request id the caller chose once when the caller sends it again, in one flush or later', async () => {
    const log = t.app.get(PredictionLog);
    const mine = { ...alice.headers, 'x-user-id': 'again', 'x-request-id': 'caller-chosen-1' };
    expect((await predict(mine)).requestId).toBe('caller-chosen-1');
    await predict(mine);
    await log.flush();
    await predict(mine);
    await log.flush();
    const rows = await ds.query(`SELECT variant FROM experiment_predictions WHERE "requestId" = 'caller-chosen-1'`);
    expect(rows).toHaveLength(1);
    await outcome('caller-chosen-1', 1).expect(200);
    await outcome('caller-chosen-1', 0).expect(409);
  });

  it('should record an outcome for a prediction not written yet and count it once the entry is written', async () => {
    const log = t.app.get(PredictionLog);
    const draft = await createExperiment(t, alice.headers, model, { name: 'buffered outcome' });
    const requestId = randomUUID();
    log.record({
      requestId,
      clientRequestId: false,
      assignment: { ...assignmentOf(draft.id), variant: 'treatment', version: 2 },
      unit: 'u-buffered',
      callerOwner: 'alice',
      servedVersion: 2,
      latencyMs: 1,
      error: null,
    });
    const res = await outcome(requestId, 1).expect(200);
    expect(res.body).toMatchObject({ variant: 'treatment', created: true });
    await log.flush();
    const [totals] = await ds.query(
      `SELECT predictions::int, outcomes::int, "outcomeSum" FROM experiment_variant_totals WHERE "experimentId" = $1`,
      [draft.id],
    );
    expect(totals).toEqual({ predictions: 1, outcomes: 1, outcomeSum: 1 });
  });

  it('should write a full batch at once and leave the entries after it for the timer when 500 are buffered', async () => {
    const log = t.app.get(PredictionLog);
    await log.flush();
    const assignment = assignmentOf(randomUUID());
    for (let i = 0; i < 501; i++) {
      log.record({
        requestId: randomUUID(),
        clientRequestId: false,
        assignment,
        unit: `u-${i}`,
        callerOwner: 'alice',
        servedVersion: 1,
        latencyMs: 1,
        error: null,
      });
    }
    const sizes = () =>
      ds
        .query(`SELECT size FROM experiment_prediction_batches WHERE "experimentId" = $1 ORDER BY id`, [
          assignment.experimentId,
        ])
        .then((rows: { size: number }[]) => rows.map((r) => r.size));
    // Chained after the write the 500th entry started, and before any timer's: it writes full batches only.
    await log.flush(false);
    expect(await sizes()).toEqual([500]);
    expect(log.pending).toBe(1);
    await log.flush();
    expect(await sizes()).toEqual([500, 1]);
  });

  it('should leave entries that come in while a flush writes for the next flush when the server is busy', async () => {
    const log = t.app.get(PredictionLog);
    await log.flush();
    const assignment = assignmentOf(randomUUID());
    const entry = () => ({
      requestId: randomUUID(),
      clientRequestId: false,
      assignment,
      unit: null,
      callerOwner: 'alice',
      servedVersion: 1,
      latencyMs: 1,
      error: null,
    });
    for (let i = 0; i < 10; i++) log.record(entry());
    const flushed = log.flush();
    // After the write has started (it awaits PostgreSQL), before it ends.
    setImmediate(() => {
      for (let i = 0; i < 5; i++) log.record(entry());
    });
    await flushed;
    expect(log.pending).toBe(5);
    await log.flush();
    const sizes = await ds.query(
      `SELECT size FROM experiment_prediction_batches WHERE "experimentId" = $1 ORDER BY id`,
      [assignment.experimentId],
    );
    expect(sizes.map((r: { size: number }) => r.size)).toEqual([10, 5]);
  });

  it('should count for the sample-ratio check only the units served since the weights changed when reweighted', async () => {
    const log = t.app.get(PredictionLog);
    const srmUnits = async () => {
      const res = await t.http.get(`/api/v1/experiments/${experimentId}/results`).set(alice.headers).expect(200);
      const expected = res.body.sampleRatio.expected as number[];
      return { srm: Math.round(expected.reduce((s, x) => s + x, 0)), res };
    };
    for (let i = 0; i < 6; i++) await predict({ ...alice.headers, 'x-user-id': `epoch-${i}` });
    await log.flush();
    const before = await srmUnits();
    expect(before.srm).toBeGreaterThanOrEqual(6);
    const units = (r: typeof before) => r.res.body.variants.reduce((s: number, v: { units: number }) => s + v.units, 0);
    await t.http
      .patch(`/api/v1/experiments/${experimentId}`)
      .set(alice.headers)
      .send({
        variants: [
          { name: 'control', weight: 60 },
          { name: 'treatment', weight: 40 },
        ],
      })
      .expect(200);
    expect((await srmUnits()).srm).toBe(0);
    // Two units seen before return and one is new: three units under these weights.
    for (const unit of ['epoch-0', 'epoch-1', 'epoch-new', 'epoch-0'])
      await predict({ ...alice.headers, 'x-user-id': unit });
    await log.flush();
    const after = await srmUnits();
    expect(after.srm).toBe(3);
    const [{ n }] = await ds.query(
      `SELECT count(DISTINCT (variant, unit))::int AS n FROM experiment_predictions
        WHERE "experimentId" = $1 AND NOT random`,
      [experimentId],
    );
    expect(units(after)).toBe(n);
    expect(units(after)).toBeGreaterThan(units(before));
  });

  it('should flush the buffered log when the app shuts down', async () => {
    const other = await createTestApp({ env: { ARTIFACT_DIR: dir.path }, databaseUrl: t.databaseUrl });
    const res = await other.http
      .post(`/api/v1/models/${model}/predict`)
      .set({ ...alice.headers, 'x-user-id': 'u-5', 'content-type': 'application/json' })
      .send(row)
      .expect(200);
    await other.app.close();
    const rows = await ds.query(`SELECT 1 FROM experiment_predictions WHERE "requestId" = $1`, [res.body.requestId]);
    expect(rows).toHaveLength(1);
  });
});
