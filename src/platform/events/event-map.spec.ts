import { defineEvents, event, eventCatalogue, isDeclaredEvent } from './event-map';

describe('defineEvents', () => {
  it('should add the types to the catalogue, grouped by module, when a module declares its events', () => {
    defineEvents('zeta', { 'zeta.second': event<{ a: number }>('second'), 'zeta.first': event<object>('first') });
    defineEvents('alpha', { 'alpha.only': event<object>('only') });
    const mine = eventCatalogue().filter((e) => ['zeta', 'alpha'].includes(e.source));
    expect(mine).toEqual([
      { type: 'alpha.only', source: 'alpha', description: 'only' },
      { type: 'zeta.second', source: 'zeta', description: 'second' },
      { type: 'zeta.first', source: 'zeta', description: 'first' },
    ]);
    expect(isDeclaredEvent('zeta.first')).toBe(true);
    expect(isDeclaredEvent('zeta.unknown')).toBe(false);
  });

  it('should refuse when a type is not of the form area.action', () => {
    expect(() => defineEvents('beta', { Beta: event<object>('x') })).toThrow(/area\.action/);
  });

  it('should refuse when two modules declare the same type', () => {
    defineEvents('gamma', { 'gamma.done': event<object>('x') });
    expect(() => defineEvents('delta', { 'gamma.done': event<object>('y') })).toThrow(/declared by gamma/);
  });
});
