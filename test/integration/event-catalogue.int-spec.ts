import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import 'src/app.module';
import { eventCatalogue } from 'src/platform/events';

const ROOT = join(__dirname, '..', '..');
const TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = sources(join(ROOT, 'src')).map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

/** `export const WEBHOOK_TEST = 'webhook.test'` and the like, from the modules' `.events.ts` files. */
const constants = new Map(
  files
    .filter((f) => f.path.endsWith('.events.ts'))
    .flatMap((f) => [...f.text.matchAll(/export const (\w+) = '([^']+)';/g)].map((m) => [m[1], m[2]] as const)),
);

/** The first argument of every `.publish(` call (a manager passed first is skipped), with its file. */
function publishCalls(): Array<{ path: string; arg: string }> {
  return files
    .filter((f) => !f.path.endsWith('.events.ts'))
    .flatMap((f) =>
      [...f.text.matchAll(/\.publish(?:In)?\(\s*(?:manager,\s*|m,\s*)?([^,\s)]+)/g)].map((m) => ({
        path: f.path,
        arg: m[1],
      })),
    );
}

/** Every event type string (or event constant) in files that publish. */
function publishedTypes(): Set<string> {
  const found = new Set<string>();
  for (const f of files) {
    if (f.path.endsWith('.events.ts') || !/\.publish(In)?\(/.test(f.text)) continue;
    for (const m of f.text.matchAll(/'([a-z][a-z0-9_.]*)'/g)) if (TYPE.test(m[1])) found.add(m[1]);
    for (const [name, type] of constants) if (new RegExp(`\\b${name}\\b`).test(f.text)) found.add(type);
  }
  return found;
}

function readmeCatalogue(): Array<{ type: string; source: string; description: string }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('**Event catalogue**');
  const rows = readme
    .slice(start)
    .split('\n')
    .slice(1)
    .filter((line, i, all) => line.startsWith('|') && all.slice(0, i).every((l) => l === '' || l.startsWith('|')));
  return rows.slice(2).map((line) => {
    const [type, source, description] = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    return { type: type.replace(/`/g, ''), source, description };
  });
}

describe('the event catalogue', () => {
  const catalogue = eventCatalogue();

  it('should have a publisher in src/ when a type is in the catalogue', () => {
    const published = publishedTypes();
    const unpublished = catalogue.map((e) => e.type).filter((type) => !published.has(type));
    expect(unpublished).toEqual([]);
  });

  it('should be in the catalogue when a type is published in src/', () => {
    const known = new Set(catalogue.map((e) => e.type));
    const calls = publishCalls();
    expect(calls.length).toBeGreaterThan(5);
    const unknown = calls.filter(({ arg }) => {
      if (arg.startsWith('`')) return true;
      if (arg.startsWith("'")) return !known.has(arg.slice(1, -1));
      // Another identifier is a variable typed EventType: the compiler holds it to the catalogue.
      return constants.has(arg) && !known.has(constants.get(arg)!);
    });
    expect(unknown).toEqual([]);
  });

  it('should list exactly the catalogue when the README shows the event table', () => {
    const expected = catalogue.map(({ type, source, description }) => ({ type, source, description }));
    const table = [
      '| type | published by | data |',
      '|---|---|---|',
      ...catalogue.map((e) => `| \`${e.type}\` | ${e.source} | ${e.description} |`),
    ].join('\n');
    // On a failure, paste `table` under **Event catalogue** in README.md and run prettier.
    expect({ readme: readmeCatalogue(), table }).toEqual({ readme: expected, table });
  });
});
