import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { contribute, jsonl, modelTrainedOn, skewed, trainingRows, truth } from '../factories/training.factory';
import { fakeTerminal, runCli } from '../support/cli';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface Dataset {
  id: string;
  kind: string;
  rowCount: number;
  active: boolean;
}

/** The CLI groups of the training loop: datasets, training runs, evaluations, DeltaOne decisions, rewards, experiments. */
describe('deltaone CLI: datasets, training runs, evaluations, DeltaOne, rewards, experiments', () => {
  let t: TestApp;
  let owner: CreatedKey;
  let contributor: CreatedKey;
  let dir: { path: string; remove: () => void };
  let env: Record<string, string>;
  let name: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    dir = makeTempDir('cli-training-');
    owner = await createApiKey(t, {
      scopes: [
        'models:read',
        'models:write',
        'training:write',
        'rewards:read',
        'experiments:read',
        'experiments:write',
        'predict',
      ],
    });
    contributor = await createApiKey(t, { scopes: ['models:read', 'contributions:write', 'contributions:read'] });
    env = { DELTAONE_URL: await t.app.getUrl(), DELTAONE_API_KEY: owner.key };
    name = await modelTrainedOn(t, owner, trainingRows(40, 301, skewed));
  });

  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const file = (fileName: string, rows: ReturnType<typeof trainingRows>): string => {
    const path = join(dir.path, fileName);
    writeFileSync(path, jsonl(rows));
    return path;
  };

  it('should upload, list, get and switch benchmarks when the datasets commands are run', async () => {
    const terminal = fakeTerminal();
    const first = await runCli(
      ['datasets', 'upload', name, file('bench-a.jsonl', trainingRows(300, 302, truth)), '--kind', 'benchmark'],
      env,
      terminal,
    );
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toMatch(/^dataset [0-9a-f-]{36}: benchmark, 300 rows, sha256:[0-9a-f]{64} \(active\)/);
    expect(terminal.text()).toContain('100%');
    const path = file('bench-b.jsonl', trainingRows(250, 303, truth));
    const second = await runCli(['datasets', 'upload', name, path, '--kind', 'benchmark', '--json'], env);
    const b = second.json<Dataset>();
    expect(b).toMatchObject({ kind: 'benchmark', rowCount: 250, active: false });

    const list = await runCli(['datasets', 'list', name, '--kind', 'benchmark', '--json'], env);
    expect(list.json<{ items: Dataset[] }>().items).toHaveLength(2);
    const switched = await runCli(['datasets', 'set-benchmark', name, b.id], env);
    expect(switched.out).toContain(`active benchmark of ${name}: ${b.id} (250 rows`);
    const got = await runCli(['datasets', 'get', name, b.id, '--json'], env);
    expect(got.json()).toMatchObject({ id: b.id, active: true });
    const human = await runCli(['datasets', 'list', name], env);
    expect(human.out).toMatch(/^id\s+kind\s+rowCount\s+active/);
  });

  it('should follow a training run to v2 with a progress bar and show the DeltaOne decision and reward when the loop is driven from the CLI', async () => {
    await t.http
      .put(`/api/v1/models/${name}/deltaone-settings`)
      .set(owner.headers)
      .send({ minExamples: 200 })
      .expect(200);
    const settings = await runCli(
      [
        'rewards',
        'settings',
        name,
        '--tokens-per-deltaone',
        '1000',
        '--max-reward',
        '100000',
        '--budget',
        '1000000',
        '--json',
      ],
      env,
    );
    expect(settings.json()).toMatchObject({ tokensPerDeltaOne: '1000', maxReward: '100000', budget: '1000000' });
    const wallet = Wallet.createRandom().address;
    await contribute(t, contributor, name, wallet, trainingRows(300, 304, truth));

    const terminal = fakeTerminal();
    const watched = await runCli(['training-runs', 'start', name, '--seed', '1', '--watch'], env, terminal);
    expect(watched).toMatchObject({ code: 0, err: '' });
    expect(watched.out).toMatch(
      /^training run [0-9a-f-]{36} \(.+, logistic_regression\): registered\n {2}registered v2/,
    );
    expect(terminal.text()).toContain(`training ${name}`);
    expect(terminal.text()).toContain('100%');

    const runs = await runCli(['training-runs', 'list', name, '--json'], env);
    const [run] = runs.json<{ items: Array<{ id: string; evaluationId: string; status: string }> }>().items;
    expect(run.status).toBe('registered');
    const again = await runCli(['training-runs', 'watch', run.id, '--json'], env);
    expect(again.json()).toMatchObject({ id: run.id, status: 'registered', resultVersion: 2 });

    const evaluation = await runCli(['evaluations', 'get', run.evaluationId, '--wait', '--interval', '100'], env);
    expect(evaluation).toMatchObject({ code: 0, err: '' });
    expect(evaluation.out).toMatch(/v1 [\d.]+% -> v2 [\d.]+% \(delta \d+ bps, n 250\)/);
    expect(evaluation.out).toContain('decision: accepted (ACCEPTED)');
    const decisions = await runCli(['deltaone', 'list', name], env);
    expect(decisions.out).toMatch(/^id\s+baseline\s+candidate\s+metric\s+deltaBps\s+n\s+accepted\s+reason/);
    expect(decisions.out).toContain('ACCEPTED');

    const rewards = await waitFor(
      async () => {
        const r = await runCli(['rewards', 'list', name, '--json'], env);
        const items = r.json<{ items: Array<{ id: string; evaluationId: string }> }>().items;
        return items.length > 0 ? items : undefined;
      },
      'the reward',
      30_000,
    );
    expect(rewards[0].evaluationId).toBe(run.evaluationId);
    const reward = await runCli(['rewards', 'get', rewards[0].id], env);
    expect(reward.out).toMatch(new RegExp(`^reward ${rewards[0].id} \\(${name}, `));
    expect(reward.out).toContain(`${wallet}: `);
    const mine = await runCli(['rewards', 'contributor', wallet, '--json'], env);
    expect(mine.json<{ items: unknown[] }>().items).toHaveLength(1);
  });

  // Runs after the loop above: v2 exists and its ACCEPTED decision holds the cooldown.
  it('should start an evaluation and wait for its decision when evaluations start is given --wait', async () => {
    const run = await runCli(
      ['evaluations', 'start', name, '--candidate', '2', '--baseline', '1', '--wait', '--interval', '100'],
      env,
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^evaluation [0-9a-f-]{36} \(.+, accuracy\): completed/);
    expect(run.out).toContain('decision: rejected (COOLDOWN_ACTIVE)');
  });

  // Runs after the loop above: the model has v1 and v2.
  it('should create, start, reweight, stop and report an experiment and take an outcome when the experiments commands are run', async () => {
    const created = await runCli(
      [
        'experiments',
        'create',
        'cli v1 vs v2',
        '--model',
        name,
        '--variant',
        'control:1:50',
        'treatment:2:50',
        '--metric',
        'correct:proportion:increase',
        '--mde',
        '0.1',
        '--min-samples',
        '50',
        '--json',
      ],
      env,
    );
    expect(created).toMatchObject({ code: 0, err: '' });
    const { id } = created.json<{ id: string }>();
    expect((await runCli(['experiments', 'start', id], env)).out).toMatch(
      /: cli v1 vs v2, running\n {2}control: v1, weight 50 \(control\)/,
    );

    const predicted = await t.http
      .post(`/api/v1/models/${name}/predict`)
      .set({ ...owner.headers, 'x-user-id': 'user-1' })
      .send({ inputs: [{ f0: 1, f1: 1, f2: 0, f3: 0 }] })
      .expect(200);
    expect(predicted.body.experiment).toMatchObject({ id });
    const outcome = await waitFor(
      async () => {
        const r = await runCli(['experiments', 'outcome', predicted.body.requestId as string, '1', '--json'], env);
        return r.code === 0 ? r : undefined;
      },
      'the prediction log to be written',
      10_000,
    );
    expect(outcome.json()).toMatchObject({ created: true });

    const reweighted = await runCli(['experiments', 'reweight', id, 'control:20', 'treatment:80'], env);
    expect(reweighted.out).toContain('treatment: v2, weight 80');
    const results = await runCli(['experiments', 'results', id], env);
    expect(results.out).toMatch(new RegExp(`^experiment ${id}: continue`));
    expect(results.out).toMatch(/control \(v1\): \d+ units/);
    expect((await runCli(['experiments', 'stop', id], env)).out).toContain('completed');
    const list = await runCli(['experiments', 'list', '--model', name, '--json'], env);
    expect(list.json<{ items: Array<{ id: string; status: string }> }>().items).toEqual([
      expect.objectContaining({ id, status: 'completed' }),
    ]);
  });

  it('should print the problem code and exit 1 when a training run is cancelled that does not exist', async () => {
    const run = await runCli(['training-runs', 'cancel', '00000000-0000-4000-8000-000000000000'], env);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error TRAINING_RUN_NOT_FOUND \(404\)/);
  });
});
