import type { Command } from 'commander';
import { answer } from '../../client';
import { uploadDataset } from '../../upload';
import type { CommandModule } from '../context';
import { table } from '../output';

export const datasetCommands: CommandModule = (program, ctx) => {
  const datasets = program.command('datasets').description("a model's benchmarks and training sets");

  datasets
    .command('upload <model> <file>')
    .description('upload a .csv or .jsonl file of rows (streamed, with a progress bar)')
    .requiredOption('--kind <kind>', 'benchmark or training')
    .option('--description <text>')
    .action(async (model: string, file: string, o: { kind: 'benchmark' | 'training'; description?: string }, cmd) => {
      const c = ctx(cmd as Command);
      const bar = c.progress(`uploading ${file}`, 'bytes');
      try {
        const d = await uploadDataset(c.client(), model, file, o, (sent, total) => bar.update(sent, total));
        bar.stop();
        c.print(d, (r) => `dataset ${r.id}: ${r.kind}, ${r.rowCount} rows, ${r.hash}${r.active ? ' (active)' : ''}`);
      } finally {
        bar.stop();
      }
    });

  datasets
    .command('list <model>')
    .description('datasets, newest first')
    .option('--kind <kind>', 'benchmark or training')
    .action(async (name: string, o: { kind?: 'benchmark' | 'training' }, cmd: Command) => {
      const c = ctx(cmd);
      const params = { path: { name }, query: { kind: o.kind } };
      const page = await answer(c.client().GET('/api/v1/models/{name}/datasets', { params }));
      c.print(page, (p) => table(p.items, ['id', 'kind', 'rowCount', 'active', 'hash', 'createdAt']));
    });

  datasets
    .command('get <model> <id>')
    .description('one dataset: kind, hash, rows, columns')
    .action(async (name: string, id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const params = { path: { name, id } };
      c.print(await answer(c.client().GET('/api/v1/models/{name}/datasets/{id}', { params })));
    });

  datasets
    .command('set-benchmark <model> <id>')
    .description('make a benchmark dataset the active one (evaluations default to it)')
    .action(async (name: string, datasetId: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const params = { path: { name } };
      const d = await answer(c.client().PUT('/api/v1/models/{name}/benchmark', { params, body: { datasetId } }));
      c.print(d, (r) => `active benchmark of ${name}: ${r.id} (${r.rowCount} rows, ${r.hash})`);
    });
};
