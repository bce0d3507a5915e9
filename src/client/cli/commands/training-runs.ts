import type { Command } from 'commander';
import { answer } from '../../client';
import type { components } from '../../schema';
import { followTrainingRun, type TrainingRun } from '../../training-events';
import type { CliContext, CommandModule } from '../context';
import { table } from '../output';

type Start = components['schemas']['StartTrainingDto'];

interface StartOptions {
  baseVersion?: string;
  family?: Start['family'];
  contribution?: string[];
  hyperparameters?: string;
  seed?: string;
  watch?: boolean;
}

export const describeRun = (r: TrainingRun): string => {
  const lines = [`training run ${r.id} (${r.modelName}, ${r.family}): ${r.status}`];
  if (r.resultVersion) lines.push(`  registered v${r.resultVersion}, evaluation ${r.evaluationId ?? '-'}`);
  if (r.data) lines.push(`  rows: ${r.data.rows}, contributions: ${r.data.contributions.length}`);
  if (r.metrics) lines.push(`  metrics: ${JSON.stringify(r.metrics)}`);
  if (r.failureCode) lines.push(`  ${r.failureCode}: ${r.failureReason ?? ''}`);
  return lines.join('\n');
};

/** The iterations the run will go through at most, for the bar's total (the trainer stops earlier on convergence). */
const plannedIterations = (r: TrainingRun): number =>
  r.hyperparameters.maxIterations ?? r.hyperparameters.epochs ?? 100;

async function watch(c: CliContext, id: string): Promise<TrainingRun> {
  const client = c.client();
  const start = await answer(client.GET('/api/v1/training-runs/{id}', { params: { path: { id } } }));
  const bar = c.progress(`training ${start.modelName}`, 'iterations');
  const total = plannedIterations(start);
  try {
    const run = await followTrainingRun(client, id, (e) => {
      if (e.event === 'progress') bar.update(Math.min(e.data.iteration, total), total);
      if (e.event === 'end' && e.data.status === 'registered') bar.update(total, total);
    });
    bar.stop();
    return run;
  } finally {
    bar.stop();
  }
}

export const trainingRunCommands: CommandModule = (program, ctx) => {
  const runs = program.command('training-runs').description('training runs: retrain a model on its contributions');

  runs
    .command('start <model>')
    .description('start a run (202); --watch follows it to its end')
    .option('--base-version <version>', 'default: production')
    .option('--family <family>', 'logistic_regression, linear_regression or mlp_classifier')
    .option('--contribution <ids...>', 'train on these accepted contributions only')
    .option('--hyperparameters <json>', 'for example {"l2":0.001}')
    .option('--seed <n>')
    .option('--watch', 'follow the run with a progress bar until it ends')
    .action(async (name: string, o: StartOptions, cmd: Command) => {
      const c = ctx(cmd);
      const body: Start = {
        baseVersion: o.baseVersion === undefined ? undefined : Number(o.baseVersion),
        family: o.family,
        contributionIds: o.contribution,
        hyperparameters: o.hyperparameters ? (JSON.parse(o.hyperparameters) as Start['hyperparameters']) : undefined,
        seed: o.seed === undefined ? undefined : Number(o.seed),
      };
      const params = { path: { name } };
      const started = await answer(c.client().POST('/api/v1/models/{name}/training-runs', { params, body }));
      if (!o.watch) return c.print(started, (r) => `training run ${r.id} (${r.family}): ${r.status}`);
      const run = await watch(c, started.id);
      c.print(run, describeRun);
      if (run.status !== 'registered') throw new Error(`training run ${run.id} ended ${run.status}`);
    });

  runs
    .command('watch <id>')
    .description('follow a run (Server-Sent Events) with a progress bar; prints it in its final state')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const run = await watch(c, id);
      c.print(run, describeRun);
      if (run.status !== 'registered') throw new Error(`training run ${run.id} ended ${run.status}`);
    });

  runs
    .command('get <id>')
    .description('a run: status, progress, metrics, data used, resulting version')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().GET('/api/v1/training-runs/{id}', { params: { path: { id } } })), describeRun);
    });

  runs
    .command('list <model>')
    .description("a model's runs, newest first")
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const params = { path: { name } };
      const page = await answer(c.client().GET('/api/v1/models/{name}/training-runs', { params }));
      c.print(page, (p) => table(p.items, ['id', 'status', 'family', 'baseVersion', 'resultVersion', 'createdAt']));
    });

  runs
    .command('cancel <id>')
    .description('stop a queued or running run')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const run = await answer(c.client().POST('/api/v1/training-runs/{id}/cancel', { params: { path: { id } } }));
      c.print(run, (r) => `training run ${r.id}: ${r.status}${r.cancelRequested ? ' (cancel requested)' : ''}`);
    });
};
