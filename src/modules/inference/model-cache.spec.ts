import { ModelCache } from './model-cache';

function cacheOf(maxBytes: number, sizes: Record<string, number>) {
  const loads: string[] = [];
  const disposed: string[] = [];
  const cache = new ModelCache<string>(
    maxBytes,
    async (key) => {
      loads.push(key);
      await new Promise((r) => setTimeout(r, 5));
      return { value: `session:${key}`, bytes: sizes[key] };
    },
    (_, key) => {
      disposed.push(key);
    },
  );
  return { cache, loads, disposed };
}

describe(ModelCache.name, () => {
  it('should load a key once when many callers ask for it at the same moment', async () => {
    const { cache, loads } = cacheOf(100, { a: 10 });
    const values = await Promise.all(Array.from({ length: 20 }, async () => cache.get('a')));
    expect(new Set(values)).toEqual(new Set(['session:a']));
    expect(loads).toEqual(['a']);
    expect(cache.counters).toMatchObject({ loads: 1, misses: 20, hits: 0 });
    await cache.get('a');
    expect(cache.counters.hits).toBe(1);
  });

  it('should evict the least recently used key when the byte budget is exceeded', async () => {
    const { cache, disposed } = cacheOf(25, { a: 10, b: 10, c: 10 });
    await cache.get('a');
    await cache.get('b');
    await cache.get('a');
    await cache.get('c');
    expect(cache.keys().sort()).toEqual(['a', 'c']);
    expect(disposed).toEqual(['b']);
    expect(cache.counters.evictions).toBe(1);
    expect(cache.bytes).toBe(20);
  });

  it('should keep pinned keys when it has to evict', async () => {
    const { cache } = cacheOf(25, { a: 10, b: 10, c: 10 });
    cache.pin('a');
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
  });

  it('should not cache a failed load and try again when asked again', async () => {
    let fail = true;
    const cache = new ModelCache<string>(
      100,
      () => (fail ? Promise.reject(new Error('corrupt')) : Promise.resolve({ value: 'ok', bytes: 1 })),
      () => undefined,
    );
    await expect(cache.get('x')).rejects.toThrow('corrupt');
    fail = false;
    await expect(cache.get('x')).resolves.toBe('ok');
  });
});
