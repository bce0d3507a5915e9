import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { answer } from '../../client';
import type { components } from '../../schema';
import type { CommandModule } from '../context';

type Evaluation = components['schemas']['EvaluationResponseDto'];

const bps = (v: number | null) => (v === null ? '-' : `${(v / 100).toFixed(2)}%`);

export const describeEvaluation = (e: Evaluation): string => {
  const lines = [`evaluation ${e.id} (${e.model}, ${e.metric}): ${e.status}`];
  lines.push(
    `  v${e.baseline.version} ${bps(e.baseline.metricBps)} -> v${e.candidate.version} ${bps(e.candidate.metricBps)}` +
      ` (delta ${e.deltaBps ?? '-'} bps, n ${e.n ?? '-'})`,
  );
  if (e.reason) lines.push(`  decision: ${e.accepted ? 'accepted' : 'rejected'} (${e.reason})`);
  if (e.statistics) lines.push(`  statistics: ${JSON.stringify(e.statistics)}`);
  return lines.join('\n');
};

export const evaluationCommands: CommandModule = (program, ctx) => {
  const evaluations = program.command('evaluations').description('DeltaOne evaluations of a candidate version');

  const get = async (c: ReturnType<typeof ctx>, id: string, wait: boolean, interval: number) => {
    const read = () => answer(c.client().GET('/api/v1/evaluations/{id}', { params: { path: { id } } }));
    let e = await read();
    while (wait && (e.status === 'queued' || e.status === 'running')) {
      await sleep(interval);
      e = await read();
    }
    c.print(e, describeEvaluation);
    if (wait && e.status === 'failed') throw new Error(`evaluation ${e.id} failed`);
  };

  evaluations
    .command('start <model>')
    .description('evaluate a candidate version against a baseline (default production) on a benchmark')
    .requiredOption('--candidate <version>')
    .option('--baseline <version>', 'default: the production version')
    .option('--benchmark <datasetId>', 'default: the active benchmark')
    .option('--wait', 'poll until the evaluation completes or fails')
    .option('--interval <ms>', 'polling interval with --wait', '1000')
    .action(
      async (
        name: string,
        o: { candidate: string; baseline?: string; benchmark?: string; wait?: boolean; interval: string },
        cmd: Command,
      ) => {
        const c = ctx(cmd);
        const body = {
          candidateVersion: Number(o.candidate),
          baselineVersion: o.baseline === undefined ? undefined : Number(o.baseline),
          benchmarkId: o.benchmark,
        };
        const params = { path: { name } };
        const started = await answer(c.client().POST('/api/v1/models/{name}/evaluations', { params, body }));
        if (!o.wait) return c.print(started, (r) => `evaluation ${r.id}: ${r.status}`);
        await get(c, started.id, true, Number(o.interval));
      },
    );

  evaluations
    .command('get <id>')
    .description('an evaluation: both metrics, the delta, the decision and its statistics')
    .option('--wait', 'poll until the evaluation completes or fails')
    .option('--interval <ms>', 'polling interval with --wait', '1000')
    .action(async (id: string, o: { wait?: boolean; interval: string }, cmd: Command) => {
      await get(ctx(cmd), id, o.wait === true, Number(o.interval));
    });
};
