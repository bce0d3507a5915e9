// Trains logistic regression (binary and 3 classes) and ridge on 100,000 x 20 generated rows with the server's
// trainers (in a worker thread, as the server does) and, side by side in the same run, with scikit-learn
// (LogisticRegression(solver="lbfgs"), Ridge) through /usr/bin/python3 when sklearn imports; else sklearn is
// skipped with a message. Same rows, same train/validation split, same regularisation (sklearn C = 1 is our
// l2 = 1 / n_train; Ridge alpha = 1 is our l2 = 1 / n_train). Like with like: scikit-learn's time is
// StandardScaler fit + transform + fit from the in-memory rows; ours (`learn`) is the worker's prepare + fit
// (split, standardise, fit). `train` adds what scikit-learn's timed part does not do: the training and validation
// metrics and the ONNX export. The onnxruntime verification, the worker's start and the result's delivery are
// extra work too: reported in their own columns. The event loop (perf_hooks.monitorEventLoopDelay,
// 1 ms resolution, and a 5 ms interval timer's longest lateness) is watched during our run and, for the floor,
// over as long a stretch of doing nothing just before it. Exits 1 when a validation accuracy is more than 0.1
// percentage point from scikit-learn's (or a ridge rmse more than 0.1 % from it). Run: npm run bench:training
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const trainers = require('../dist/src/modules/training');
const { splitRows } = require('../dist/src/modules/training/trainers/dataset');

const ROWS = 100_000;
const FEATURES = 20;
const SEED = 7;
const FRACTION = 0.2;
const PYTHON = '/usr/bin/python3';

function generate(classes, seed) {
  const random = trainers.mulberry32(seed);
  const k = Math.max(1, classes);
  const coef = Array.from({ length: FEATURES * k }, () => trainers.gaussian(random) * 0.5);
  const data = trainers.allocateTrainingData(ROWS, FEATURES);
  const { x, y } = data;
  const score = new Float64Array(k);
  for (let r = 0; r < ROWS; r++) {
    score.fill(0);
    for (let j = 0; j < FEATURES; j++) {
      // Features on different scales and offsets, as real columns are.
      const v = trainers.gaussian(random);
      x[r * FEATURES + j] = v * (1 + j) + 10 * j;
      for (let c = 0; c < k; c++) score[c] += v * coef[j * k + c];
    }
    for (let c = 0; c < k; c++) score[c] += trainers.gaussian(random);
    if (classes === 0) y[r] = score[0] * 3 + 5;
    else {
      let best = 0;
      for (let c = 1; c < k; c++) if (score[c] > score[best]) best = c;
      y[r] = best;
    }
  }
  return data;
}

/** The longest event-loop delay and timer gap over `work` (or over `idleMs` of nothing, for the machine's floor). */
async function watchLoop(work) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - 5);
    last = now;
  }, 5);
  histogram.enable();
  const value = await work();
  histogram.disable();
  clearInterval(timer);
  return { value, loopMaxMs: histogram.max / 1e6, timerMaxGapMs: maxGap };
}

async function ours(family, data, hyperparameters) {
  const job = trainers.buildTrainingJob(family, hyperparameters, SEED, data);
  const started = performance.now();
  const watched = await watchLoop(() => trainers.startTraining(job).result);
  const wall = performance.now() - started;
  const floor = await watchLoop(() => new Promise((r) => setTimeout(r, Math.max(500, wall))));
  return { ...watched, result: watched.value, wall, floor };
}

function sklearnAvailable() {
  const r = spawnSync(PYTHON, ['-c', 'import sklearn, numpy; print(sklearn.__version__, numpy.__version__)'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

const PY = `
import json, sys, time, numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
d, kind, rows, feats, l2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
X = np.fromfile(d + '/x.f32', dtype=np.float32).reshape(rows, feats).astype(np.float64)
y = np.fromfile(d + '/y.f64', dtype=np.float64)
tr = np.fromfile(d + '/train.u32', dtype=np.uint32); va = np.fromfile(d + '/valid.u32', dtype=np.uint32)
t = time.perf_counter()
sc = StandardScaler().fit(X[tr]); Xt = sc.transform(X[tr])
f = time.perf_counter()
if kind == 'ridge':
    m = Ridge(alpha=l2 * len(tr)).fit(Xt, y[tr]); it = 1
else:
    m = LogisticRegression(solver='lbfgs', C=1.0 / (l2 * len(tr))).fit(Xt, y[tr].astype(np.int64)); it = int(np.max(m.n_iter_))
e = time.perf_counter(); ms = (e - t) * 1000; fit_ms = (e - f) * 1000
p = m.predict(sc.transform(X[va]))
out = {'ms': ms, 'fitMs': fit_ms, 'iterations': it}
if kind == 'ridge':
    r = p - y[va]; out['rmse'] = float(np.sqrt(np.mean(r * r)))
else:
    out['accuracy'] = float(np.mean(p == y[va]))
print(json.dumps(out))
`;

function sklearn(kind, data, l2, dir) {
  const split = splitRows(data.rows, FRACTION, SEED);
  writeFileSync(join(dir, 'x.f32'), Buffer.from(data.x.buffer.slice(0)));
  writeFileSync(join(dir, 'y.f64'), Buffer.from(data.y.buffer.slice(0)));
  writeFileSync(join(dir, 'train.u32'), Buffer.from(split.training.buffer));
  writeFileSync(join(dir, 'valid.u32'), Buffer.from(split.validation.buffer));
  const out = execFileSync(PYTHON, ['-c', PY, dir, kind, String(data.rows), String(FEATURES), String(l2)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out);
}

const fmt = (v, digits = 3) => (v === undefined ? '–' : Number(v).toFixed(digits));

async function main() {
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0].model}), Node ${process.version}`);
  const versions = sklearnAvailable();
  console.log(
    versions
      ? `scikit-learn ${versions.split(' ')[0]}, numpy ${versions.split(' ')[1]}`
      : 'scikit-learn not importable from /usr/bin/python3: skipped',
  );
  const idle = await watchLoop(() => new Promise((r) => setTimeout(r, 2000)));
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}; idle floor over 2 s: event-loop max ${fmt(idle.loopMaxMs, 1)} ms, timer gap ${fmt(idle.timerMaxGapMs, 1)} ms`,
  );
  const coldStarted = performance.now();
  const cold = await watchLoop(() => trainers.prewarmTrainer());
  console.log(
    `cold start of the warm worker (thread + module loading, onnxruntime included), once per process: ${fmt(
      performance.now() - coldStarted,
      0,
    )} ms, event-loop max ${fmt(cold.loopMaxMs, 1)} ms`,
  );
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-training-'));
  const nTrain = ROWS - Math.round(ROWS * FRACTION);
  const l2 = 1 / nTrain;
  const cases = [
    { name: 'logistic, 2 classes', family: 'logistic_regression', kind: 'logistic', classes: 2 },
    { name: 'logistic, 3 classes', family: 'logistic_regression', kind: 'logistic', classes: 3 },
    { name: 'ridge', family: 'linear_regression', kind: 'ridge', classes: 0 },
  ];
  const rows = [];
  const failures = [];
  try {
    for (const c of cases) {
      const data = generate(c.classes, 100 + c.classes);
      const hp =
        c.kind === 'ridge'
          ? { l2, validationFraction: FRACTION }
          : { l2, validationFraction: FRACTION, maxIterations: 1000 };
      const o = await ours(c.family, data, hp);
      const s = versions ? sklearn(c.kind, data, l2, dir) : undefined;
      const metric = c.kind === 'ridge' ? 'rmse' : 'accuracy';
      const t = o.result.timingsMs;
      const ourMetric = o.result.metrics.validation[metric];
      if (s) {
        const off =
          c.kind === 'ridge' ? Math.abs(ourMetric / s.rmse - 1) > 1e-3 : Math.abs(ourMetric - s.accuracy) > 1e-3;
        if (off) failures.push(`${c.name}: ${metric} ${ourMetric} against scikit-learn's ${s[metric]}`);
      }
      rows.push({
        case: c.name,
        ourLearnMs: fmt(t.prepare + t.fit, 0),
        sklearnMs: s ? fmt(s.ms, 0) : 'skipped',
        learnRatio: s ? fmt((t.prepare + t.fit) / s.ms, 2) : '–',
        ourTrainMs: fmt(t.train, 0),
        trainRatio: s ? fmt(t.train / s.ms, 2) : '–',
        ourFitMs: fmt(t.fit, 0),
        sklearnFitMs: s ? fmt(s.fitMs, 0) : '–',
        fitRatio: s ? fmt(t.fit / s.fitMs, 2) : '–',
        ourIterations: o.result.iterations,
        sklearnIterations: s ? s.iterations : '–',
        prepareMs: fmt(t.prepare, 0),
        finishMs: fmt(t.finish, 0),
        verifyMs: fmt(t.verify, 0),
        startMs: fmt(t.start, 1),
        deliverMs: fmt(t.deliver, 1),
        ourWallMs: fmt(o.wall, 0),
        [`our ${metric}`]: fmt(ourMetric, 4),
        [`sklearn ${metric}`]: s ? fmt(s[metric], 4) : '–',
        verifyMaxDiff: o.result.verification.maxDifference.toExponential(1),
        loopMaxMs: fmt(o.loopMaxMs, 1),
        idleLoopMaxMs: fmt(o.floor.loopMaxMs, 1),
        timerMaxGapMs: fmt(o.timerMaxGapMs, 1),
        idleTimerMaxGapMs: fmt(o.floor.timerMaxGapMs, 1),
      });
      console.log(rows[rows.length - 1]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trainers.stopIdleTrainer();
  }
  console.table(rows);
  console.log(
    `load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (failures.length) {
    console.error(`validation metric off scikit-learn's by more than 0.1 pp:\n${failures.join('\n')}`);
    process.exit(1);
  }
  if (versions) console.log('validation metrics within 0.1 pp (rmse within 0.1 %) of scikit-learn: OK');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
