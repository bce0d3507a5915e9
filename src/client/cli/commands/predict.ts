import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { answer } from '../../client';
import type { CommandModule } from '../context';

interface PredictOptions {
  input?: string;
  file?: string;
  modelVersion?: string;
  alias?: string;
  noCache?: boolean;
}

/** Rows from a JSON document (one object or a list) or JSON Lines. */
export function parseRows(text: string): Array<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not one document: JSON Lines, one row a line.
    doc = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as unknown);
  }
  return (Array.isArray(doc) ? doc : [doc]) as Array<Record<string, unknown>>;
}

export const predictCommand: CommandModule = (program, ctx) => {
  program
    .command('predict <model>')
    .description('predict rows with the production version (or --model-version, --alias)')
    .option('--input <json>', 'rows as JSON: one object keyed by feature name, or a list')
    .option('--file <path>', 'rows from a .json or .jsonl file')
    .option('--model-version <n>', 'serve this version (--version is the CLI version)')
    .option('--alias <alias>', 'serve the version of this alias')
    .option('--no-cache', 'skip the result cache')
    .action(async (name: string, o: PredictOptions & { cache: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      const text = o.file ? await readFile(o.file, 'utf8') : o.input;
      if (!text) throw new Error('give the rows with --input <json> or --file <path>');
      const inputs = parseRows(text) as Array<Record<string, number>>;
      const query = { version: o.modelVersion === undefined ? undefined : Number(o.modelVersion), alias: o.alias };
      const header = o.cache ? undefined : { 'Cache-Control': 'no-cache' };
      const result = await answer(
        c
          .client()
          .POST('/api/v1/models/{name}/predict', { params: { path: { name }, query, header }, body: { inputs } }),
      );
      c.print(result, (r) =>
        [
          `${r.model} v${r.version}${r.cached ? ' (cached)' : ''}`,
          ...r.predictions.map((p, i) => `  ${i}: ${JSON.stringify(p.label ?? p.value ?? p.outputs)}`),
        ].join('\n'),
      );
    });
};
