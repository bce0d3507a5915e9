import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { answer } from '../../client';
import type { CommandModule } from '../context';

const FINAL = new Set(['completed', 'cancelled', 'failed']);

export const jobCommands: CommandModule = (program, ctx) => {
  const jobs = program.command('jobs').description('durable background jobs');

  jobs
    .command('get <id>')
    .description('the state of a job')
    .option('--wait', 'poll until the job completes, fails or is cancelled')
    .option('--interval <ms>', 'polling interval with --wait', '1000')
    .action(async (id: string, o: { wait?: boolean; interval: string }, cmd: Command) => {
      const c = ctx(cmd);
      const get = () => answer(c.client().GET('/api/v1/jobs/{id}', { params: { path: { id } } }));
      let job = await get();
      while (o.wait && !FINAL.has(job.state)) {
        await sleep(Number(o.interval));
        job = await get();
      }
      c.print(job, (j) => `job ${j.id} (${j.queue}): ${j.state}${j.error ? ` - ${j.error}` : ''}`);
      if (o.wait && job.state !== 'completed') throw new Error(`job ${job.id} ended ${job.state}`);
    });
};
