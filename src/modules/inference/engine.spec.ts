import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, EngineOptions } from './engine';
import { InferencePool } from './inference-pool';
import { formatRows } from './output-format';
import { ServableVersion } from './servable';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fixtures = require('../../../test/fixtures/onnx-models.js') as { writeAll: (dir: string) => string[] };

const servable = (path: string, features: number): ServableVersion => ({
  modelName: 'm',
  owner: 'o',
  visibility: 'public',
  version: 1,
  artifactPath: path,
  sha256: 'x',
  sizeBytes: 1,
  inputs: [{ name: 'input', type: 'float32', shape: [-1, features] }],
  outputs: [],
  features: null,
  aliases: [],
});

describe('inference engine on onnxruntime-node', () => {
  let dir: string;
  const runs: number[] = [];
  const pool = new InferencePool(1, 1);
  const options = (batching: boolean): EngineOptions => ({
    pool,
    batching,
    maxBatchSize: 64,
    maxDelayMs: 5,
    onRun: (rows) => runs.push(rows),
    onBatch: () => undefined,
    onWait: () => undefined,
    inlineLimitBytes: 0,
    onInline: () => undefined,
    inlineDemoteMs: 5,
    onInlineDemoted: () => undefined,
    timeoutMs: 10_000,
  });

  /** The logistic model, allowed on the main thread. */
  const inlineEngine = (overrides: Partial<EngineOptions>) =>
    Engine.load(
      {
        ...servable(join(dir, 'logistic.onnx'), 16),
        sizeBytes: 500,
        operators: ['Add', 'ArgMax', 'MatMul', 'Softmax'],
      },
      { ...options(false), inlineLimitBytes: 1024 * 1024, ...overrides },
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    fixtures.writeAll(dir);
  });

  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should give each concurrent caller the same answer it gets alone when requests are merged', async () => {
    const engine = await Engine.load(servable(join(dir, 'mlp.onnx'), 64), options(true));
    const rows = Array.from({ length: 8 }, (_, i) => Array.from({ length: 64 }, (_, j) => Math.sin(i * 64 + j)));
    const alone: unknown[] = [];
    for (const row of rows) {
      const b = engine.encoder.encode({ instances: [row] }, 10);
      alone.push(formatRows(await engine.runDirect(b.feeds, 1), 1)[0]);
    }
    runs.length = 0;
    const merged = await Promise.all(
      rows.map(async (row) => {
        const b = engine.encoder.encode({ instances: [row] }, 10);
        return formatRows(await engine.run(b.feeds, 1), 1)[0];
      }),
    );
    expect(merged).toEqual(alone);
    expect(runs.length).toBeLessThan(rows.length);
    await engine.release();
  });

  it('should fail every request of a merged run with INFERENCE_TIMEOUT, and run none again alone, when the run times out', async () => {
    const own = new InferencePool(1, 1);
    const sent = jest.spyOn(own, 'run');
    // 60 rows through the slow model take milliseconds; the timeout is one.
    const engine = await Engine.load(servable(join(dir, 'slow.onnx'), 16), {
      ...options(true),
      pool: own,
      timeoutMs: 1,
    });
    const rows = Array.from({ length: 20 }, (_, i) => Array.from({ length: 16 }, (_, j) => Math.sin(i + j)));
    const requests = [0, 1, 2].map(() => {
      const b = engine.encoder.encode({ instances: rows }, 100);
      return engine.run(b.feeds, b.rows);
    });
    const settled = await Promise.allSettled(requests);
    // The first two requests (40 rows, past half of maxBatchSize) share a run, which times out: both fail with it.
    // The third goes in a run of its own, whose race with a 1 ms timer depends on the machine's load.
    const codes = settled.map((s) => s.status === 'rejected' && (s.reason as { code?: string }).code);
    expect(codes.slice(0, 2)).toEqual(['INFERENCE_TIMEOUT', 'INFERENCE_TIMEOUT']);
    // The merged runs carried the 60 rows once; a retry one by one would send them again.
    const rowsSent = sent.mock.calls.reduce((n, [, , feeds]) => n + feeds.input.dims[0], 0);
    expect(rowsSent).toBe(60);
    expect(sent.mock.calls.length).toBeLessThan(3);
    await own.close();
  });

  it('should run small runs on the main thread with the same answers when the model is shape-bounded', async () => {
    const path = join(dir, 'logistic.onnx');
    const bounded = { ...servable(path, 16), sizeBytes: 500, operators: ['Add', 'ArgMax', 'MatMul', 'Softmax'] };
    const inline: number[] = [];
    const small = { ...options(false), inlineLimitBytes: 500 * 4 };
    const engine = await Engine.load(bounded, { ...small, onInline: () => inline.push(1) });
    const worker = await Engine.load({ ...bounded, version: 2 }, options(false));
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => Array.from({ length: 16 }, (_, j) => Math.cos(i + j)));
    for (const n of [1, 4, 5]) {
      const a = engine.encoder.encode({ instances: rows(n) }, 10);
      const b = worker.encoder.encode({ instances: rows(n) }, 10);
      expect(formatRows(await engine.run(a.feeds, n), n)).toEqual(formatRows(await worker.run(b.feeds, n), n));
    }
    // 1 and 4 rows fit in 4 x the model's size; 5 rows go to the worker.
    expect(inline).toHaveLength(2);
    expect(engine.inlineCapable).toBe(true);
    await engine.release();
    await worker.release();
  });

  it('should send a version back to its worker when main-thread runs keep taking longer than allowed', async () => {
    const inline: number[] = [];
    const demoted: number[] = [];
    const engine = await inlineEngine({
      inlineDemoteMs: -1,
      onInline: () => inline.push(1),
      onInlineDemoted: (ms) => demoted.push(ms),
    });
    for (let i = 0; i < 5; i++) {
      const b = engine.encoder.encode({ instances: [Array(16).fill(i)] }, 10);
      expect(formatRows(await engine.run(b.feeds, 1), 1)).toHaveLength(1);
    }
    // Three slow runs on the main thread, then the worker only.
    expect(inline).toHaveLength(3);
    expect(demoted).toHaveLength(1);
    await engine.release();
  });

  it('should keep a version on the main thread when slow runs do not come three in a row', async () => {
    const demoted: number[] = [];
    const engine = await inlineEngine({ inlineDemoteMs: 5, onInlineDemoted: (ms) => demoted.push(ms) });
    // Each main-thread run reads the clock three times; its time is the last reading minus the second.
    const runTimes = [9, 9, 0.1, 9, 9, 0.1, 9];
    const clock = jest.spyOn(performance, 'now');
    for (const ms of runTimes) clock.mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(ms);
    try {
      for (let i = 0; i < runTimes.length; i++) {
        const b = engine.encoder.encode({ instances: [Array(16).fill(i)] }, 10);
        await engine.run(b.feeds, 1);
      }
    } finally {
      clock.mockRestore();
    }
    expect(demoted).toEqual([]);
    await engine.release();
  });

  it('should keep a version on the main thread when only the event loop, not its runs, is slow', async () => {
    const demoted: number[] = [];
    const engine = await inlineEngine({ inlineDemoteMs: 40, onInlineDemoted: (ms) => demoted.push(ms) });
    for (let i = 0; i < 4; i++) {
      // Other requests' work, queued before this run: it delays the run but is not the run's.
      setImmediate(() => {
        const until = performance.now() + 60;
        while (performance.now() < until);
      });
      const b = engine.encoder.encode({ instances: [Array(16).fill(i)] }, 10);
      await engine.run(b.feeds, 1);
    }
    expect(demoted).toEqual([]);
    await engine.release();
  });
  it('should never run on the main thread when an operator is not shape-bounded or unknown', async () => {
    const path = join(dir, 'logistic.onnx');
    const big = { ...options(false), inlineLimitBytes: 1024 * 1024 };
    for (const operators of [['MatMul', 'Loop'], ['MatMul', 'ConstantOfShape'], null]) {
      const engine = await Engine.load({ ...servable(path, 16), sizeBytes: 500, operators }, big);
      expect(engine.inlineCapable).toBe(false);
      await engine.release();
    }
  });

  it('should give label and probabilities when the model is a classifier', async () => {
    const engine = await Engine.load(servable(join(dir, 'logistic.onnx'), 16), options(false));
    const b = engine.encoder.encode({ instances: [Array(16).fill(0.5), Array(16).fill(-0.5)] }, 10);
    const rows = formatRows(await engine.run(b.feeds, b.rows), b.rows);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect([0, 1]).toContain(r.label);
      expect(r.probabilities![0] + r.probabilities![1]).toBeCloseTo(1, 5);
    }
    await engine.release();
  });

  it('should give a value when the model is a regressor', async () => {
    const engine = await Engine.load(servable(join(dir, 'regressor.onnx'), 8), options(true));
    const b = engine.encoder.encode({ instances: [Array(8).fill(0)] }, 10);
    const [row] = formatRows(await engine.run(b.feeds, 1), 1);
    expect(row.value).toBeCloseTo(0.5, 6);
    await engine.release();
  });
});
