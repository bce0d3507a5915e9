import type { Command } from 'commander';
import { answer } from '../../client';
import type { components } from '../../schema';
import type { CliContext, CommandModule } from '../context';
import { table } from '../output';

type Create = components['schemas']['CreateExperimentDto'];
type Experiment = components['schemas']['ExperimentResponseDto'];
type Results = components['schemas']['ExperimentResultsDto'];

interface CreateOptions {
  model: string;
  variant: string[];
  metric: string;
  mde: string;
  minSamples: string;
  alpha?: string;
  shadow?: string;
  unitHeader?: string;
  autoPromote?: boolean;
}

/** `control:1:50` (name, version, weight); a version that is not a number is an alias (`control:production:50`). */
const parseVariant = (spec: string): Create['variants'][number] => {
  const [name, target, weight] = spec.split(':');
  const version = Number(target);
  return Number.isInteger(version)
    ? { name, version, weight: Number(weight) }
    : { name, alias: target, weight: Number(weight) };
};

const describeExperiment = (e: Experiment): string =>
  [
    `experiment ${e.id} (${e.model}): ${e.name}, ${e.status}`,
    ...e.variants.map((v) => `  ${v.name}: v${v.version}, weight ${v.weight}${v.control ? ' (control)' : ''}`),
  ].join('\n');

const describeResults = (r: Results): string =>
  [
    `experiment ${r.experimentId}: ${r.decision}${r.winner ? `, winner ${r.winner}` : ''}${r.promotable ? ' (promotable)' : ''}`,
    ...r.variants.map(
      (v) => `  ${v.name} (v${v.version}): ${v.units} units, ${v.predictions} predictions, ${v.outcomes} outcomes`,
    ),
    ...r.reasons.map((reason) => `  ${String(reason.message)}`),
  ].join('\n');

const lifecycle = (c: CliContext, id: string, action: 'start' | 'pause' | 'resume' | 'stop') =>
  answer(c.client().POST(`/api/v1/experiments/{id}/${action}`, { params: { path: { id } } }));

export const experimentCommands: CommandModule = (program, ctx) => {
  const experiments = program.command('experiments').description('A/B experiments between versions of a model');

  experiments
    .command('create <name>')
    .description('create a draft experiment; the first variant is the control')
    .requiredOption('--model <model>')
    .requiredOption('--variant <specs...>', 'name:version:weight (or name:alias:weight), two or more')
    .requiredOption('--metric <spec>', 'primary metric name:kind:direction, for example converted:proportion:increase')
    .requiredOption('--mde <effect>', 'minimum detectable effect, for example 0.02')
    .requiredOption('--min-samples <n>', 'outcomes per variant before a decision')
    .option('--alpha <alpha>', 'default 0.05')
    .option('--shadow <spec>', 'version:percent run in the shadow of routed requests')
    .option('--unit-header <header>', 'the header naming the unit (default X-User-Id)')
    .option('--auto-promote', 'ask for the winner to be promoted')
    .action(async (name: string, o: CreateOptions, cmd: Command) => {
      const c = ctx(cmd);
      const [metricName, kind, direction] = o.metric.split(':');
      const [shadowVersion, percent] = o.shadow?.split(':') ?? [];
      const body: Create = {
        name,
        model: o.model,
        variants: o.variant.map(parseVariant),
        primaryMetric: {
          name: metricName,
          kind: kind as Create['primaryMetric']['kind'],
          direction: direction as Create['primaryMetric']['direction'],
        },
        minimumDetectableEffect: Number(o.mde),
        minSamplesPerVariant: Number(o.minSamples),
        alpha: o.alpha === undefined ? undefined : Number(o.alpha),
        shadow: o.shadow ? { version: Number(shadowVersion), percent: Number(percent) } : undefined,
        unitHeader: o.unitHeader,
        autoPromote: o.autoPromote,
      };
      c.print(await answer(c.client().POST('/api/v1/experiments', { body })), describeExperiment);
    });

  experiments
    .command('list')
    .description("the caller's experiments, newest first")
    .option('--model <model>')
    .option('--status <status>', 'draft, running, paused, completed or cancelled')
    .action(async (o: { model?: string; status?: Experiment['status'] }, cmd: Command) => {
      const c = ctx(cmd);
      const page = await answer(c.client().GET('/api/v1/experiments', { params: { query: o } }));
      c.print(page, (p) => table(p.items, ['id', 'name', 'model', 'status', 'createdAt']));
    });

  experiments
    .command('get <id>')
    .description('an experiment with its variants')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const e = await answer(c.client().GET('/api/v1/experiments/{id}', { params: { path: { id } } }));
      c.print(e, describeExperiment);
    });

  for (const action of ['start', 'pause', 'resume', 'stop'] as const) {
    experiments
      .command(`${action} <id>`)
      .description(`${action} an experiment`)
      .action(async (id: string, _o, cmd: Command) => {
        const c = ctx(cmd);
        c.print(await lifecycle(c, id, action), describeExperiment);
      });
  }

  experiments
    .command('reweight <id> <weights...>')
    .description('change the weights: name:weight for each variant')
    .action(async (id: string, weights: string[], _o, cmd: Command) => {
      const c = ctx(cmd);
      const variants = weights.map((w) => {
        const [name, weight] = w.split(':');
        return { name, weight: Number(weight) };
      });
      const params = { path: { id } };
      c.print(
        await answer(c.client().PATCH('/api/v1/experiments/{id}', { params, body: { variants } })),
        describeExperiment,
      );
    });

  experiments
    .command('results <id>')
    .description('per-variant figures, the statistics and the decision')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const r = await answer(c.client().GET('/api/v1/experiments/{id}/results', { params: { path: { id } } }));
      c.print(r, describeResults);
    });

  experiments
    .command('outcome <requestId> <value>')
    .description('report the outcome of a prediction the experiment routed (0 or 1 for a proportion metric)')
    .action(async (requestId: string, value: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const params = { path: { requestId } };
      const body = { value: Number(value) };
      c.print(await answer(c.client().POST('/api/v1/predictions/{requestId}/outcome', { params, body })));
    });
};
