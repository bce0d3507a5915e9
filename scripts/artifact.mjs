// The build-or-check step of a compiled artifact that is committed (contracts, kernels): writes `text` to
// `outFile`, or with `--check` fails when the committed file differs from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

export function writeOrCheck(outFile, text, buildScript) {
  const name = relative(process.cwd(), outFile);
  if (!process.argv.includes('--check')) {
    writeFileSync(outFile, text);
    process.stdout.write(`wrote ${name}\n`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(outFile, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (committed !== text) {
    process.stderr.write(`${name} is stale: run \`npm run ${buildScript}\` and commit it.\n`);
    process.exit(1);
  }
  process.stdout.write(`${name} is up to date\n`);
}
