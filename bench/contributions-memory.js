// Memory of a 50 MB contribution file through the durable-job path (contribution_uploads → parseRows →
// processBatch), in process, without the database writes. Usage: npm run bench:contributions:memory [MB]
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const dist = join(__dirname, '..', 'dist', 'src', 'modules');
const { processBatch } = require(join(dist, 'contributions', 'contribution-pipeline.js'));
const { parseRows } = require(join(dist, 'contributions', 'contribution-upload.js'));
const { expectedColumns } = require(join(dist, 'contributions', 'contribution.rules.js'));
const { PrivacyService } = require(join(dist, 'privacy', 'privacy.service.js'));

const MB = Number(process.argv[2] ?? 50);
const MEASURE = process.argv[3];
const features = [
  ...Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, type: 'float' })),
  { name: 'count', type: 'int' },
  { name: 'note', type: 'string' },
];
const columns = expectedColumns(features, 'label', 'classes');
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

function writeFile(path) {
  const lines = [];
  let size = 0;
  for (let r = 0; size < MB * 1024 * 1024; r++) {
    const row = {};
    for (let i = 0; i < 7; i++) row[`f${i}`] = Math.sin(r * 7 + i);
    row.count = r % 500;
    row.note = 'upgraded plan in march';
    row.label = r % 3 === 0 ? 'churned' : 'stayed';
    const line = JSON.stringify(row);
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(path, lines.join('\n'));
}

async function main() {
  if (!MEASURE) {
    // Generate the file here, measure in a fresh process whose baseline has not seen the generation.
    const path = join(tmpdir(), `contribution-${MB}mb.jsonl`);
    writeFile(path);
    try {
      execFileSync(process.execPath, ['--expose-gc', __filename, String(MB), path], { stdio: 'inherit' });
    } finally {
      rmSync(path, { force: true });
    }
    return;
  }
  global.gc?.();
  const before = process.memoryUsage().rss;
  // The upload as the job holds it (contribution_uploads.data).
  const file = readFileSync(MEASURE);
  const started = performance.now();
  const rows = await parseRows(Readable.from([file]), 'jsonl', Number.MAX_SAFE_INTEGER);
  const afterParse = process.memoryUsage().rss;
  const privacy = new PrivacyService();
  const out = processBatch(rows, columns, (r) => privacy.scanRows(r), 'reject');
  const afterProcess = process.memoryUsage().rss;
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify(
      {
        fileMB: mb(file.length),
        rows: rows.length,
        accepted: out.valid.length,
        seconds: Math.round(seconds * 10) / 10,
        rssBeforeMB: mb(before),
        rssAfterParseMB: mb(afterParse),
        rssAfterProcessMB: mb(afterProcess),
        rssPeakMB: mb(peak),
        rssGrowthMB: mb(Math.max(afterParse, afterProcess, peak) - before),
        goalGrowthMB: 150,
        node: process.version,
      },
      null,
      2,
    ),
  );
}
void main();
