import type { Command } from 'commander';
import { answer } from '../../client';
import type { components } from '../../schema';
import type { CommandModule } from '../context';
import { table } from '../output';

type Scope = components['schemas']['CreateApiKeyDto']['scopes'][number];

export const apiKeyCommands: CommandModule = (program, ctx) => {
  const keys = program.command('api-keys').description('API keys');

  keys
    .command('create <name>')
    .description('create a key (its secret is printed once)')
    .requiredOption('--scope <scopes...>', 'scopes, for example models:read predict')
    .option('--owner <owner>', 'owner of the key (admin only)')
    .option('--expires-at <time>', 'ISO 8601 time the key stops working')
    .action(async (name: string, o: { scope: string[]; owner?: string; expiresAt?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const body = { name, scopes: o.scope as Scope[], owner: o.owner, expiresAt: o.expiresAt };
      const key = await answer(c.client().POST('/api/v1/api-keys', { body }));
      c.print(key, (k) => `created key ${k.id} for ${k.owner} (${k.scopes.join(', ')})\n${k.key}`);
    });

  keys
    .command('list')
    .description('list keys')
    .action(async (_o, cmd: Command) => {
      const c = ctx(cmd);
      const page = await answer(c.client().GET('/api/v1/api-keys'));
      c.print(page, (p) => table(p.items, ['id', 'name', 'owner', 'prefix', 'scopes', 'revokedAt']));
    });

  keys
    .command('current')
    .description('the key making the request')
    .action(async (_o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().GET('/api/v1/api-keys/current')));
    });

  keys
    .command('revoke <id>')
    .description('revoke a key')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      await answer(c.client().DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } }));
      c.print({ id, revoked: true }, () => `revoked ${id}`);
    });
};
