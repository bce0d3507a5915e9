// Writes README's configuration table from .env.example (the one list of every variable, its default and meaning),
// between the markers below. `--check` fails instead when README is stale. Usage: npm run docs:config [-- --check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- config-table:start (npm run docs:config writes it from .env.example) -->';
const END = '<!-- config-table:end -->';

/** Rows of [area, variable, default, meaning]: a comment block describes the variables right after it. */
function parse(text) {
  const rows = [];
  let area = '';
  let comment = [];
  let lastComment = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const section = /^# -+ (.+?) -+$/.exec(line);
    if (section) {
      area = section[1];
      comment = [];
    } else if (line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
    } else if (/^[A-Z0-9_]+=/.test(line)) {
      const [name, ...value] = line.split('=');
      if (comment.length > 0) lastComment = comment.join(' ');
      rows.push([area, name, value.join('='), lastComment]);
      comment = [];
    } else if (line === '') {
      if (comment.length > 0) lastComment = '';
      comment = [];
    }
  }
  return rows;
}

const cell = (s) => s.replaceAll('|', '\\|');

function table(rows) {
  const lines = ['| area | variable | default | meaning |', '| --- | --- | --- | --- |'];
  for (const [area, name, value, meaning] of rows) {
    lines.push(`| ${area} | \`${name}\` | ${value === '' ? '(unset)' : `\`${cell(value)}\``} | ${cell(meaning)} |`);
  }
  return lines.join('\n');
}

const readmePath = join(ROOT, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  process.stderr.write(`README.md has no ${START} ... ${END} block\n`);
  process.exit(1);
}
const rows = parse(readFileSync(join(ROOT, '.env.example'), 'utf8'));
const next = `${readme.slice(0, start + START.length)}\n\n${table(rows)}\n\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  // Prettier re-pads the table's columns: compare cell contents, not spacing.
  const cells = (s) =>
    s
      .slice(s.indexOf(START), s.indexOf(END))
      .split('\n')
      .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
      .map((l) =>
        l
          .split(/(?<!\\)\|/)
          .map((c) => c.trim())
          .join('|'),
      );
  const [want, have] = [cells(next), cells(readme)];
  if (want.join('\n') !== have.join('\n')) {
    process.stderr.write('README.md configuration table is stale: run npm run docs:config\n');
    process.exit(1);
  }
  process.stdout.write(`README.md configuration table is up to date (${rows.length} variables)\n`);
} else {
  writeFileSync(readmePath, next);
  process.stdout.write(`README.md: ${rows.length} variables\n`);
}
