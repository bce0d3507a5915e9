import { MicroBatcher, Outputs, RunFn } from './micro-batcher';
import { Feed } from './row-encoder';

const feedOf = (values: number[][]): Record<string, Feed> => ({
  x: { data: Float32Array.from(values.flat()), dims: [values.length, values[0].length] },
});

/** A fake model: output y = sum of the row, one value per row; fails on any row that contains -1. */
const sumModel =
  (calls: number[]): RunFn =>
  (feeds, rows) => {
    calls.push(rows);
    const x = feeds.x.data as Float32Array;
    const width = x.length / rows;
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        if (x[r * width + j] === -1) return Promise.reject(new Error('bad row'));
        y[r] += x[r * width + j];
      }
    }
    return Promise.resolve({ y: { type: 'float32', dims: [rows, 1], data: y } } as Outputs);
  };

describe(MicroBatcher.name, () => {
  it('should merge concurrent requests into one run and give each caller its own rows when they arrive together', async () => {
    const calls: number[] = [];
    const batcher = new MicroBatcher(sumModel(calls), { maxBatchSize: 64, maxDelayMs: 5 });
    const results = await Promise.all([
      batcher.submit(feedOf([[1, 2]]), 1),
      batcher.submit(
        feedOf([
          [10, 20],
          [30, 40],
        ]),
        2,
      ),
      batcher.submit(feedOf([[100, 200]]), 1),
    ]);
    expect(calls).toEqual([4]);
    expect(results.map((r) => Array.from(r.y.data as Float32Array))).toEqual([[3], [30, 70], [300]]);
    expect(results[1].y.dims).toEqual([2, 1]);
  });

  it('should never put more than maxBatchSize rows in one run when many requests wait', async () => {
    const calls: number[] = [];
    const batcher = new MicroBatcher(sumModel(calls), { maxBatchSize: 4, maxDelayMs: 5 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(feedOf([[i, i]]), 1)));
    expect(calls.every((n) => n <= 4)).toBe(true);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('should fail only the request with the bad row when a merged run fails', async () => {
    const calls: number[] = [];
    const batcher = new MicroBatcher(sumModel(calls), { maxBatchSize: 64, maxDelayMs: 5 });
    const [good, bad, alsoGood] = await Promise.allSettled([
      batcher.submit(feedOf([[1, 1]]), 1),
      batcher.submit(feedOf([[-1, 0]]), 1),
      batcher.submit(feedOf([[2, 2]]), 1),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('bad row') });
    expect(alsoGood.status === 'fulfilled' && Array.from(alsoGood.value.y.data as Float32Array)).toEqual([4]);
  });

  it('should run a lone request by itself when nothing else arrives within the delay', async () => {
    const calls: number[] = [];
    const batcher = new MicroBatcher(sumModel(calls), { maxBatchSize: 64, maxDelayMs: 1 });
    const r = await batcher.submit(feedOf([[5, 5]]), 1);
    expect(Array.from(r.y.data as Float32Array)).toEqual([10]);
    expect(calls).toEqual([1]);
  });

  it('should start a run within the event-loop turn when half a batch is queued and a run slot is free', async () => {
    const calls: number[] = [];
    const batcher = new MicroBatcher(sumModel(calls), { maxBatchSize: 4, maxDelayMs: 1000 });
    const first = [batcher.submit(feedOf([[1, 1]]), 1), batcher.submit(feedOf([[2, 2]]), 1)];
    expect(calls).toEqual([2]);
    const late = batcher.submit(feedOf([[3, 3]]), 1);
    expect(calls).toEqual([2]);
    await Promise.all([...first, late]);
    expect(calls).toEqual([2, 1]);
  });

  it('should start a run within the event-loop turn when the oldest request has waited maxDelayMs', async () => {
    const calls: number[] = [];
    const batcher = new MicroBatcher(sumModel(calls), { maxBatchSize: 64, maxDelayMs: 2 });
    const first = batcher.submit(feedOf([[1, 1]]), 1);
    // A long turn: this thread is busy (reading other requests) for longer than maxDelayMs.
    const start = performance.now();
    while (performance.now() - start < 3);
    expect(calls).toEqual([]);
    const second = batcher.submit(feedOf([[2, 2]]), 1);
    expect(calls).toEqual([2]);
    await Promise.all([first, second]);
  });

  it('should keep at most two runs in flight and merge what waits meanwhile when the model is busy', async () => {
    const calls: number[] = [];
    const release: (() => void)[] = [];
    const held: RunFn = (feeds, rows) => {
      calls.push(rows);
      return new Promise((resolve) => release.push(() => void sumModel([])(feeds, rows).then(resolve)));
    };
    const batcher = new MicroBatcher(held, { maxBatchSize: 64, maxDelayMs: 5 });
    const first = batcher.submit(feedOf([[1, 1]]), 1);
    await new Promise((r) => setImmediate(r));
    const second = batcher.submit(feedOf([[2, 2]]), 1);
    await new Promise((r) => setImmediate(r));
    const rest = [3, 4, 5].map((i) => batcher.submit(feedOf([[i, i]]), 1));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([1, 1]);
    release.shift()!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([1, 1, 3]);
    release.forEach((r) => r());
    expect((await Promise.all([second, ...rest])).map((o) => (o.y.data as Float32Array)[0])).toEqual([4, 6, 8, 10]);
  });

  it('should run a request that fills a batch by itself at once when another run is in flight', async () => {
    const calls: number[] = [];
    const release: (() => void)[] = [];
    const held: RunFn = (feeds, rows) => {
      calls.push(rows);
      return rows === 4
        ? sumModel([])(feeds, rows)
        : new Promise((resolve) => release.push(() => void sumModel([])(feeds, rows).then(resolve)));
    };
    const batcher = new MicroBatcher(held, { maxBatchSize: 4, maxDelayMs: 5 });
    const small = [batcher.submit(feedOf([[1, 1]]), 1), batcher.submit(feedOf([[1, 1]]), 1)];
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const big = await batcher.submit(
      feedOf([
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ]),
      4,
    );
    expect(Array.from(big.y.data as Float32Array)).toEqual([2, 4, 6, 8]);
    expect(calls).toEqual([2, 4]);
    release.forEach((r) => r());
    await Promise.all(small);
  });
});
