// Precision and recall of the PII scanner per type on the labelled set of bench/pii-dataset.js (exact type
// and span match, Presidio-style). Usage: npm run bench:pii   (builds first)
const { join } = require('node:path');
const { makeDataset } = require('./pii-dataset');
const { PiiScanner, PII_TYPES } = require(join(__dirname, '..', 'dist', 'src', 'modules', 'privacy', 'pii-scanner.js'));

const items = makeDataset(Number(process.argv[2] ?? 1200));
const scanner = new PiiScanner();
const stats = Object.fromEntries(PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
const misses = [];
const started = performance.now();
for (const item of items) {
  const found = scanner.scan(item.text);
  const key = (s) => `${s.type}:${s.start}:${s.end}`;
  const expected = new Set(item.expected.map(key));
  const got = new Set(found.map(key));
  for (const s of found) {
    if (expected.has(key(s))) stats[s.type].tp++;
    else {
      stats[s.type].fp++;
      misses.push(`FP ${s.type} in ${JSON.stringify(item.text)}: ${JSON.stringify(item.text.slice(s.start, s.end))}`);
    }
  }
  for (const s of item.expected) {
    if (!got.has(key(s))) {
      stats[s.type].fn++;
      misses.push(`FN ${s.type} in ${JSON.stringify(item.text)}`);
    }
  }
}
const ms = performance.now() - started;
const pct = (x) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
console.log(
  `\n${items.length} strings (${items.filter((i) => i.expected.length).length} with PII, ${items.filter((i) => !i.expected.length).length} look-alikes), scanned in ${ms.toFixed(0)} ms\n`,
);
console.log('| type | true pos. | false pos. | false neg. | precision | recall |');
console.log('|---|---|---|---|---|---|');
for (const [type, s] of Object.entries(stats)) {
  console.log(
    `| ${type} | ${s.tp} | ${s.fp} | ${s.fn} | ${pct(s.tp / (s.tp + s.fp))} | ${pct(s.tp / (s.tp + s.fn))} |`,
  );
}
if (misses.length) console.log(`\nfirst misses:\n${misses.slice(0, 15).join('\n')}`);
