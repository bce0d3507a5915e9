import { Counter, Registry } from 'prom-client';
import { boundCounter } from './bound-counter';

function counter(registry: Registry): Counter<'model' | 'status'> {
  return new Counter({ name: 'c_total', help: 'c', labelNames: ['model', 'status'], registers: [registry] });
}

describe('boundCounter', () => {
  it('should expose the same series as labels() when both count the same increments', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const a = counter(ours);
    const b = counter(theirs);
    const ok = boundCounter(a, { model: 'm', status: '200' });
    boundCounter(a, { model: 'm', status: '500' });
    for (let i = 0; i < 3; i++) ok.inc();
    for (let i = 0; i < 3; i++) b.labels({ model: 'm', status: '200' }).inc();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ok.inc();
    b.labels({ model: 'm', status: '200' }).inc();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect((await a.get()).values).toEqual([{ value: 4, labels: { model: 'm', status: '200' } }]);
  });

  it('should drop pending increments when the counter is reset', async () => {
    const registry = new Registry();
    const c = counter(registry);
    const child = boundCounter(c, { model: 'm', status: '200' });
    child.inc();
    registry.resetMetrics();
    child.inc();
    expect((await c.get()).values).toEqual([{ value: 1, labels: { model: 'm', status: '200' } }]);
  });

  it('should give the same child when the same labels are bound again', async () => {
    const registry = new Registry();
    const c = counter(registry);
    const first = boundCounter(c, { model: 'm', status: '200' });
    const again = boundCounter(c, { status: '200', model: 'm' });
    expect(again).toBe(first);
    first.inc();
    again.inc();
    expect((await c.get()).values).toEqual([{ value: 2, labels: { model: 'm', status: '200' } }]);
  });
});
