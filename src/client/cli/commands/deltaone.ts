import type { Command } from 'commander';
import { answer } from '../../client';
import type { CommandModule } from '../context';
import { table } from '../output';

export const deltaoneCommands: CommandModule = (program, ctx) => {
  const deltaone = program.command('deltaone').description("a model's DeltaOne decisions");

  deltaone
    .command('list <model>')
    .description('decisions, newest first: versions, delta, n, reason')
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const page = await answer(c.client().GET('/api/v1/models/{name}/deltaone', { params: { path: { name } } }));
      c.print(page, (p) =>
        table(
          p.items.map((e) => ({
            id: e.id,
            baseline: e.baseline.version,
            candidate: e.candidate.version,
            metric: e.metric,
            deltaBps: e.deltaBps,
            n: e.n,
            accepted: e.accepted,
            reason: e.reason,
          })),
          ['id', 'baseline', 'candidate', 'metric', 'deltaBps', 'n', 'accepted', 'reason'],
        ),
      );
    });
};
