import { DataSource } from 'typeorm';
import { EXPERIMENT_CHECK_QUEUE, ExperimentChecks, PredictionLog } from 'src/modules/experiments';
import { jobIdFor, QueueService } from 'src/platform/queue';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { createExperiment } from '../factories/experiment.factory';
import { createModel, createVersion, features16, LOGREG, MLP } from '../factories/model.factory';
import { makeTempDir } from '../support/temp-dir';
import { createReplicas, TestApp } from '../support/test-app';

const row = JSON.stringify({ instances: [Array.from({ length: 16 }, (_, i) => i / 16)] });
/** A clear winner: the treatment converts every time, the control one time in ten. */
const WINNER = { minimumDetectableEffect: 0.3, minSamplesPerVariant: 20 };

describe('experiments: automatic promotion and guardrail rollback', () => {
  let dir: { path: string; remove: () => void };
  let replicas: { a: TestApp; b: TestApp; close: () => Promise<void> };
  let t: TestApp;
  let alice: CreatedKey;
  let ds: DataSource;

  beforeAll(async () => {
    dir = makeTempDir('exp-promote-');
    // An hour between scheduled checks: the tests run the check themselves.
    replicas = await createReplicas({ ARTIFACT_DIR: dir.path, EXPERIMENT_CHECK_SECONDS: '3600' });
    t = replicas.a;
    ds = t.app.get(DataSource);
    alice = await createApiKey(t, {
      owner: 'alice',
      scopes: ['predict', 'models:read', 'models:write', 'experiments:write', 'experiments:read'],
    });
  });

  afterAll(async () => {
    await replicas.close();
    dir.remove();
  });

  /** A model with versions 1 (production, the control) and 2 (the treatment), and a running experiment on it. */
  async function runningExperiment(overrides: Record<string, unknown>): Promise<{ model: string; id: string }> {
    const model = (await createModel(t, alice.headers)).name;
    await createVersion(t, model, LOGREG, { features: features16() }, alice.headers);
    await createVersion(t, model, MLP, { features: features16() }, alice.headers);
    await t.http.post(`/api/v1/models/${model}/promote`).set(alice.headers).send({ version: 1 }).expect(200);
    const id = (await createExperiment(t, alice.headers, model, overrides)).id;
    await t.http.post(`/api/v1/experiments/${id}/start`).set(alice.headers).expect(200);
    return { model, id };
  }

  async function predict(model: string, unit: string): Promise<{ requestId: string; variant: string }> {
    const res = await t.http
      .post(`/api/v1/models/${model}/predict`)
      .set({ ...alice.headers, 'content-type': 'application/json', 'x-user-id': unit })
      .send(row)
      .expect(200);
    return { requestId: res.body.requestId, variant: res.body.experiment?.variant ?? 'none' };
  }

  /** Units until each variant has `perVariant` outcomes: 1 for the treatment, 1 in 10 for the control. */
  async function driveWinner(model: string, prefix: string, perVariant = 25): Promise<void> {
    const seen = { control: 0, treatment: 0 } as Record<string, number>;
    for (let i = 0; seen.control < perVariant || seen.treatment < perVariant; i++) {
      const p = await predict(model, `${prefix}-${i}`);
      const value = p.variant === 'treatment' ? 1 : seen.control % 10 === 0 ? 1 : 0;
      seen[p.variant] += 1;
      await t.http.post(`/api/v1/predictions/${p.requestId}/outcome`).set(alice.headers).send({ value }).expect(200);
    }
    await t.app.get(PredictionLog).flush();
  }

  const production = async (model: string) =>
    (await t.http.get(`/api/v1/models/${model}/aliases/production`).set(alice.headers).expect(200)).body.version;
  const experiment = async (id: string) =>
    (await t.http.get(`/api/v1/experiments/${id}`).set(alice.headers).expect(200)).body;
  const events = (type: string, id: string) =>
    ds.query(`SELECT data FROM events WHERE type = $1 AND data->'experiment'->>'id' = $2`, [type, id]);
  const audits = (action: string, id: string) =>
    ds.query(`SELECT changes FROM audit_log WHERE action = $1 AND "targetId" = $2`, [action, id]);

  it('should promote the winning treatment to production once and complete the experiment when two replicas check it at the same time', async () => {
    const { model, id } = await runningExperiment({ ...WINNER, autoPromote: true });
    await driveWinner(model, 'win');
    const outcomes = await Promise.all([
      t.app.get(ExperimentChecks).check(id),
      replicas.b.app.get(ExperimentChecks).check(id),
    ]);
    expect(outcomes.filter((o) => o.action === 'promoted')).toHaveLength(1);
    expect(await production(model)).toBe(2);
    const body = await experiment(id);
    expect(body.status).toBe('completed');
    const completed = await events('experiment.completed', id);
    expect(completed).toHaveLength(1);
    expect(completed[0].data.winner).toEqual({ variant: 'treatment', version: 2 });
    expect(completed[0].data.reason).toContain('significantly_better');
    const promoted = await ds.query(`SELECT 1 FROM events WHERE type = 'model.promoted' AND "modelName" = $1`, [model]);
    expect(promoted).toHaveLength(2); // the setup's promotion of version 1, then the experiment's of version 2
    const [audit] = await audits('experiment.auto_promote', id);
    expect(audit.changes.decision.to).toBe('winner');
    expect(audit.changes.results.to.variants).toHaveLength(2);
  });

  it('should schedule one check job per slot when both replicas schedule it', async () => {
    const now = Date.UTC(2030, 0, 1, 12, 0, 10);
    await t.app.get(ExperimentChecks).scheduleNext(now);
    await replicas.b.app.get(ExperimentChecks).scheduleNext(now);
    const key = new Date(Date.UTC(2030, 0, 1, 13)).toISOString();
    const jobs = await ds.query(`SELECT id FROM pgboss.job WHERE name = $1 AND data->>'slot' = $2`, [
      EXPERIMENT_CHECK_QUEUE,
      key,
    ]);
    expect(jobs).toEqual([{ id: jobIdFor(EXPERIMENT_CHECK_QUEUE, key) }]);
  });

  it("should promote through the durable job when the slot's job is worked by a replica", async () => {
    const { model, id } = await runningExperiment({ ...WINNER, autoPromote: true });
    await driveWinner(model, 'job');
    const slot = new Date().toISOString();
    await t.app.get(QueueService).enqueue(EXPERIMENT_CHECK_QUEUE, { slot }, { key: `test-${slot}` });
    // The job is worked by whichever replica polls first; wait for its effect.
    let status = 'running';
    for (let i = 0; i < 100 && status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await experiment(id)).status;
    }
    expect(status).toBe('completed');
    expect(await production(model)).toBe(2);
    expect(await events('experiment.completed', id)).toHaveLength(1);
  });

  it('should store the running always-valid p-value and show it in the results when the check has looked', async () => {
    const { model, id } = await runningExperiment({ ...WINNER, autoPromote: false });
    await driveWinner(model, 'pv');
    const outcome = await t.app.get(ExperimentChecks).check(id);
    expect(outcome).toMatchObject({ action: 'none', decision: 'winner' });
    expect(await production(model)).toBe(1);
    expect((await experiment(id)).status).toBe('running');
    const res = await t.http.get(`/api/v1/experiments/${id}/results`).set(alice.headers).expect(200);
    const treatment = res.body.variants.find((v: { name: string }) => v.name === 'treatment');
    expect(treatment.previousPValue).toBeLessThan(0.05);
    expect(treatment.statistics.alwaysValidPValue).toBeLessThanOrEqual(treatment.previousPValue);
    expect(await events('experiment.completed', id)).toHaveLength(0);
    // The decision is audited once, not at every look that repeats it.
    await t.app.get(ExperimentChecks).check(id);
    const checks = await audits('experiment.check', id);
    expect(checks).toHaveLength(1);
    expect(checks[0].changes.decision).toEqual({ from: 'continue', to: 'winner' });
    expect(checks[0].changes.results.to.winner).toBe('treatment');
  });

  it('should not promote when the units per variant do not match the weights', async () => {
    const { model, id } = await runningExperiment({ ...WINNER, autoPromote: true });
    await driveWinner(model, 'srm');
    // Broken logging: 200 units counted against the control that routing never sent there.
    await ds.query(
      `INSERT INTO experiment_units ("experimentId", variant, "weightsSince", unit)
       SELECT e.id, 'control', e."weightsSince", 'srm-extra-' || g FROM experiments e, generate_series(1, 200) g
        WHERE e.id = $1`,
      [id],
    );
    const outcome = await t.app.get(ExperimentChecks).check(id);
    expect(outcome).toMatchObject({ action: 'none', decision: 'inconclusive' });
    expect(await production(model)).toBe(1);
    expect((await experiment(id)).status).toBe('running');
    const [audit] = await audits('experiment.check', id);
    expect(audit.changes.reason.to).toContain('sample_ratio_mismatch');
  });

  it('should set a treatment that breaks a guardrail to weight 0, tell the owner and route no more units to it', async () => {
    const { model, id } = await runningExperiment({
      ...WINNER,
      autoPromote: true,
      // Any served request takes longer than a microsecond: the p95 guardrail breaks once 20 requests were served.
      guardrails: [{ metric: 'latency_p95_ms', max: 0.001 }],
    });
    await driveWinner(model, 'slow');
    await t.app.get(ExperimentChecks).check(id);
    const body = await experiment(id);
    expect(body.status).toBe('running');
    expect(body.variants.find((v: { name: string }) => v.name === 'treatment')).toMatchObject({
      weight: 0,
      buckets: 0,
    });
    expect(await production(model)).toBe(1);
    const [breached] = await events('experiment.guardrail_breached', id);
    expect(breached.data).toMatchObject({
      variant: { name: 'treatment', version: 2 },
      guardrail: { metric: 'latency_p95_ms', max: 0.001 },
      weight: 0,
    });
    expect(breached.data.guardrail.observed).toBeGreaterThan(0.001);
    const [audit] = await audits('experiment.guardrail_rollback', id);
    expect(audit.changes.decision.to).toBe('guardrail_breached');
    for (let i = 0; i < 20; i++) expect((await predict(model, `after-${i}`)).variant).toBe('control');
    // A second look finds nothing more to roll back.
    expect((await t.app.get(ExperimentChecks).check(id)).action).toBe('none');
    expect(await events('experiment.guardrail_breached', id)).toHaveLength(1);
  });
});
