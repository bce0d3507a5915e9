import { Histogram, Registry } from 'prom-client';
import { boundHistogram } from './bound-histogram';

function histogram(registry: Registry): Histogram<'model'> {
  return new Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['model'],
    buckets: [0.1, 1, 5],
    registers: [registry],
  });
}

describe('boundHistogram', () => {
  it('should expose the same series as labels() when both observe the same values', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const a = histogram(ours);
    const b = histogram(theirs);
    const values = [0.05, 0.1, 0.7, 1, 3, 5, 9, 0];
    const m = boundHistogram(a, { model: 'm' });
    boundHistogram(a, { model: 'unused' });
    for (const v of values) m.observe(v);
    for (const v of values) b.labels({ model: 'm' }).observe(v);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    m.observe(2);
    b.labels({ model: 'm' }).observe(2);
    boundHistogram(a, { model: 'n' }).observe(0.2);
    b.labels({ model: 'n' }).observe(0.2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('should drop pending observations when the histogram is reset', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const m = boundHistogram(histogram(ours), { model: 'm' });
    m.observe(0.5);
    ours.resetMetrics();
    m.observe(2);
    histogram(theirs).labels({ model: 'm' }).observe(2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('should refuse a value that is not a number when it is observed', () => {
    expect(() => boundHistogram(histogram(new Registry()), { model: 'm' }).observe(NaN)).toThrow(TypeError);
  });
});
