// Rows per second through a contribution's in-memory pipeline (schema check, PII scan, hashing and the running
// quality statistics: ContributionRun.add, exactly what POST /api/v1/models/{name}/contributions and the durable
// job run per chunk) for 10-column rows: 7 float features, 1 int, 1 free-text string and a class label. Database
// writes (row inserts, the outlier count in SQL) are not included. Usage: npm run bench:contributions [rows] [rounds]
const { join } = require('node:path');
const dist = join(__dirname, '..', 'dist', 'src', 'modules');
const { ContributionRun } = require(join(dist, 'contributions', 'contribution-pipeline.js'));
const { expectedColumns } = require(join(dist, 'contributions', 'contribution.rules.js'));
const { PrivacyService } = require(join(dist, 'privacy', 'privacy.service.js'));

const ROWS = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 10);
const features = [
  ...Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, type: 'float' })),
  { name: 'count', type: 'int' },
  { name: 'note', type: 'string' },
];
const columns = expectedColumns(features, 'label', 'classes');
const NOTES = ['steady usage', 'upgraded plan in march', 'support ticket 4411 closed', 'churn risk medium', 'n/a'];

function makeRows(n, round) {
  return Array.from({ length: n }, (_, r) => {
    const row = {};
    for (let i = 0; i < 7; i++) row[`f${i}`] = Math.sin(round * 1e6 + r * 7 + i);
    row.count = (r * 31 + round) % 500;
    row.note = NOTES[r % NOTES.length];
    row.label = r % 3 === 0 ? 'churned' : 'stayed';
    return row;
  });
}

const privacy = new PrivacyService();
const scan = (rows) => privacy.scanRows(rows);
// Warm-up (JIT, libphonenumber metadata).
new ContributionRun(columns, scan, 'reject').add(makeRows(2000, -1));

const rates = [];
for (let round = 0; round < ROUNDS; round++) {
  const rows = makeRows(ROWS, round);
  const started = performance.now();
  const run = new ContributionRun(columns, scan, 'reject');
  const stored = run.add(rows);
  run.quality.report({}, 'batch');
  const ms = performance.now() - started;
  if (stored.rows.length !== ROWS || run.pii.findings !== 0) throw new Error('unexpected rejections');
  rates.push(ROWS / (ms / 1000));
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
console.log(
  JSON.stringify(
    {
      rows: ROWS,
      rounds: ROUNDS,
      columns: columns.length,
      rowsPerSecond: {
        median: Math.round(median),
        min: Math.round(rates[0]),
        max: Math.round(rates[rates.length - 1]),
      },
      goal: 20000,
      met: median >= 20000,
      node: process.version,
    },
    null,
    2,
  ),
);
