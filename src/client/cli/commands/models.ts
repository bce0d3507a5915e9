import type { Command } from 'commander';
import { answer } from '../../client';
import type { components } from '../../schema';
import type { CommandModule } from '../context';
import { table } from '../output';

type CreateModel = components['schemas']['CreateModelDto'];

interface CreateOptions {
  tokenId: string;
  metric: CreateModel['benchmarkMetric'];
  metricValue?: string;
  direction?: CreateModel['metricDirection'];
  labelColumn?: string;
  labelKind?: CreateModel['labelKind'];
  description?: string;
  tag?: string[];
  private?: boolean;
}

export const modelCommands: CommandModule = (program, ctx) => {
  const models = program.command('models').description('registered models');

  models
    .command('create <name>')
    .description('register a model')
    .requiredOption('--token-id <id>', 'its token id, for example CHURN')
    .requiredOption('--metric <metric>', 'benchmark metric: accuracy, f1, precision, recall, auroc, logloss, rmse, mae')
    .option('--metric-value <value>', 'declared baseline value of the metric')
    .option('--direction <direction>', 'higher_is_better or lower_is_better')
    .option('--label-column <column>', 'the column holding the label (needed for contributions)')
    .option('--label-kind <kind>', 'classes or numeric')
    .option('--description <text>')
    .option('--tag <tags...>')
    .option('--private', 'only its owner and admins see it')
    .action(async (name: string, o: CreateOptions, cmd: Command) => {
      const c = ctx(cmd);
      const body: CreateModel = {
        name,
        tokenId: o.tokenId,
        benchmarkMetric: o.metric,
        benchmarkValue: o.metricValue === undefined ? undefined : Number(o.metricValue),
        metricDirection: o.direction,
        labelColumn: o.labelColumn,
        labelKind: o.labelKind,
        description: o.description,
        tags: o.tag,
        visibility: o.private ? 'private' : 'public',
      };
      const model = await answer(c.client().POST('/api/v1/models', { body }));
      c.print(model, (m) => `registered ${m.name} (token ${m.tokenId}, ${m.benchmarkMetric})`);
    });

  models
    .command('list')
    .description('list models')
    .option('--q <text>', 'text in the name or description')
    .option('--tag <tag>')
    .option('--limit <n>', 'items per page', '20')
    .action(async (o: { q?: string; tag?: string; limit: string }, cmd: Command) => {
      const c = ctx(cmd);
      const query = { q: o.q, tag: o.tag, limit: Number(o.limit) };
      const page = await answer(c.client().GET('/api/v1/models', { params: { query } }));
      c.print(page, (p) => table(p.items, ['name', 'tokenId', 'owner', 'benchmarkMetric', 'latestVersion']));
    });

  models
    .command('get <name>')
    .description('one model with its aliases')
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().GET('/api/v1/models/{name}', { params: { path: { name } } })));
    });

  models
    .command('archive <name>')
    .description('archive a model')
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      await answer(c.client().DELETE('/api/v1/models/{name}', { params: { path: { name } } }));
      c.print({ name, archived: true }, () => `archived ${name}`);
    });
};
