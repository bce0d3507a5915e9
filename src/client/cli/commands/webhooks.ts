import type { Command } from 'commander';
import { answer } from '../../client';
import type { CommandModule } from '../context';
import { table } from '../output';

export const webhookCommands: CommandModule = (program, ctx) => {
  const webhooks = program.command('webhooks').description('webhook endpoints and deliveries');
  const path = (id: string) => ({ params: { path: { id } } });

  webhooks
    .command('event-types')
    .description('the catalogue of event types')
    .action(async (_o, cmd: Command) => {
      const c = ctx(cmd);
      const types = await answer(c.client().GET('/api/v1/webhooks/event-types'));
      c.print(types, (t) => table(t.items, ['type', 'description']));
    });

  webhooks
    .command('create <url>')
    .description('create an endpoint (its signing secret is printed once)')
    .requiredOption('--events <types...>', 'event types: exact, prefixes such as model.*, or *')
    .option('--model <names...>', 'only events about these models')
    .option('--description <text>')
    .action(async (url: string, o: { events: string[]; model?: string[]; description?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const body = { url, eventTypes: o.events, modelNames: o.model, description: o.description };
      const e = await answer(c.client().POST('/api/v1/webhooks/endpoints', { body }));
      c.print(e, (r) => `created endpoint ${r.id} -> ${r.url}\nsecret: ${r.secret}`);
    });

  webhooks.command('list').action(async (_o, cmd: Command) => {
    const c = ctx(cmd);
    const page = await answer(c.client().GET('/api/v1/webhooks/endpoints'));
    c.print(page, (p) => table(p.items, ['id', 'url', 'eventTypes', 'enabled', 'lastSuccessAt']));
  });

  webhooks
    .command('test <id>')
    .description('send a webhook.test event to an endpoint')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().POST('/api/v1/webhooks/endpoints/{id}/test', path(id))));
    });

  webhooks
    .command('deliveries <id>')
    .description("an endpoint's deliveries, newest first")
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      const page = await answer(c.client().GET('/api/v1/webhooks/endpoints/{id}/deliveries', path(id)));
      c.print(page, (p) => table(p.items, ['id', 'eventType', 'status', 'attempts', 'lastStatusCode', 'createdAt']));
    });

  webhooks.command('rotate-secret <id>').action(async (id: string, _o, cmd: Command) => {
    const c = ctx(cmd);
    c.print(await answer(c.client().POST('/api/v1/webhooks/endpoints/{id}/rotate-secret', path(id))));
  });

  webhooks
    .command('replay <deliveryId>')
    .description('replay a delivered or failed delivery')
    .action(async (id: string, _o, cmd: Command) => {
      const c = ctx(cmd);
      c.print(await answer(c.client().POST('/api/v1/webhooks/deliveries/{id}/replay', path(id))));
    });

  webhooks.command('delete <id>').action(async (id: string, _o, cmd: Command) => {
    const c = ctx(cmd);
    await answer(c.client().DELETE('/api/v1/webhooks/endpoints/{id}', path(id)));
    c.print({ id, deleted: true }, () => `deleted ${id}`);
  });
};
