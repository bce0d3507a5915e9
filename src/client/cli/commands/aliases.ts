import type { Command } from 'commander';
import { answer } from '../../client';
import type { CommandModule } from '../context';
import { table } from '../output';

export const aliasCommands: CommandModule = (program, ctx) => {
  const aliases = program.command('aliases').description('aliases of a model (production, staging, ...)');

  aliases.command('list <model>').action(async (name: string, _o, cmd: Command) => {
    const c = ctx(cmd);
    const list = await answer(c.client().GET('/api/v1/models/{name}/aliases', { params: { path: { name } } }));
    c.print(list, (l) => table(l.items, ['alias', 'version', 'updatedBy', 'updatedAt']));
  });

  aliases
    .command('set <model> <alias> <version>')
    .description('create or move an alias')
    .action(async (name: string, alias: string, version: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const a = await answer(
        c.client().PUT('/api/v1/models/{name}/aliases/{alias}', {
          params: { path: { name, alias } },
          body: { version: Number(version) },
        }),
      );
      c.print(a, (r) => `${r.modelName}@${r.alias} -> v${r.version}`);
    });

  aliases.command('delete <model> <alias>').action(async (name: string, alias: string, _o, cmd: Command) => {
    const c = ctx(cmd);
    await answer(c.client().DELETE('/api/v1/models/{name}/aliases/{alias}', { params: { path: { name, alias } } }));
    c.print({ modelName: name, alias, deleted: true }, () => `deleted ${name}@${alias}`);
  });

  program
    .command('promote <model> <version>')
    .description('point production at a version')
    .action(async (name: string, version: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const change = await answer(
        c.client().POST('/api/v1/models/{name}/promote', {
          params: { path: { name } },
          body: { version: Number(version) },
        }),
      );
      c.print(change, (r) => `${r.modelName} production: v${r.previousVersion ?? '-'} -> v${r.version}`);
    });

  program
    .command('rollback <model>')
    .description('point production back at the version that held it before')
    .action(async (name: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const change = await answer(c.client().POST('/api/v1/models/{name}/rollback', { params: { path: { name } } }));
      c.print(change, (r) => `${r.modelName} production: v${r.previousVersion ?? '-'} -> v${r.version}`);
    });
};
