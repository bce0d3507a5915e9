// Reading predict bodies: the byte scanner (src/modules/inference/float-rows.ts) against JSON.parse and a typed loop,
// best of 15 rounds, in µs per body. Usage: npm run bench:float-rows
const { readFloatRows } = require('../dist/src/modules/inference/float-rows.js');
const mk = (rows, k, f) =>
  JSON.stringify({
    instances: Array.from({ length: rows }, (_, r) => Array.from({ length: k }, (_, j) => f(r * k + j))),
  });
const bodies = {
  'mlp row, full precision': [mk(1, 64, (i) => Math.sin(i + 1)), 64],
  'mlp row, 3 decimals': [mk(1, 64, (i) => Math.round(Math.sin(i + 1) * 1000) / 1000), 64],
  '256 rows, 3 decimals': [mk(256, 16, (i) => Math.round(Math.sin(i + 1) * 1000) / 1000), 16],
  '256 rows, full precision': [mk(256, 16, (i) => Math.sin(i + 1)), 16],
};
function viaParse(t, k) {
  const b = JSON.parse(t);
  const rows = b.instances;
  const d = new Float32Array(rows.length * k);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let j = 0; j < k; j++) {
      const v = row[j];
      if (typeof v === 'number' && v - v === 0) d[r * k + j] = v;
    }
  }
  return d;
}
for (const [name, [text, k]] of Object.entries(bodies)) {
  const buf = Buffer.from(text);
  let bestP = Infinity,
    bestR = Infinity;
  const n = text.length > 10000 ? 300 : 20000;
  for (let round = 0; round < 15; round++) {
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) viaParse(buf.toString(), k);
    bestP = Math.min(bestP, Number(process.hrtime.bigint() - t0) / n / 1000);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (!readFloatRows(buf, k, 10000)) viaParse(buf.toString(), k);
    bestR = Math.min(bestR, Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  console.log(name, 'JSON.parse', bestP.toFixed(2), 'us; scanner (or fallback)', bestR.toFixed(2), 'us');
}
