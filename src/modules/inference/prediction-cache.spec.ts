import { createHash } from 'node:crypto';
import { AppConfig } from 'src/platform/config';
import { RawJson } from 'src/platform/json';
import type { Cache } from 'cache-manager';
import { InferenceMetrics } from './inference.metrics';
import { Cacheable, CacheSlot, PredictionCache } from './prediction-cache';
import { ResultCache } from './result-cache';
import { EncodedBatch, PredictBody } from './row-encoder';

interface Result extends Cacheable {
  predictions: number[];
  fallback: null;
}

const counters = () => {
  const counts = { hit: 0, miss: 0, bypass: 0 };
  const by = (k: keyof typeof counts) => ({ inc: () => void counts[k]++ });
  return { counts, metrics: { resultCacheBy: { hit: by('hit'), miss: by('miss'), bypass: by('bypass') } } };
};

function cacheWith(config: Partial<AppConfig> = {}, shared: Cache | null = null) {
  const { counts, metrics } = counters();
  const cache = new PredictionCache(
    {
      RESULT_CACHE_TTL_MS: 60_000,
      RESULT_CACHE_MAX_ENTRIES: 100,
      RESULT_CACHE_MAX_BYTES: 1000,
      REDIS_URL: shared ? 'redis://shared' : '',
      ...config,
    } as AppConfig,
    metrics as unknown as InferenceMetrics,
    shared as unknown as Cache,
  );
  return { cache, counts };
}

const hitByText = (cache: PredictionCache, model: string, version: number, input: RawJson) =>
  cache.hitByText(PredictionCache.textKey(model, version, input));
const lookup = (cache: PredictionCache, model: string, version: number, input: RawJson) =>
  cache.lookup(
    PredictionCache.ofRows(model, version, input.parse() as PredictBody),
    PredictionCache.textKey(model, version, input),
  );
const tensors = (...values: number[]): EncodedBatch => ({
  feeds: { x: { data: Float32Array.from(values), dims: [1, values.length] } },
  rows: 1,
});
const raw = (text: string) => new RawJson(Buffer.from(text), (b) => JSON.parse(b.toString()) as unknown);
const result = (version = 1): Result => ({ model: 'm', version, predictions: [1], fallback: null });
const stored = (version = 1) => ({ version, text: PredictionCache.text(result(version)) });
const store = (cache: PredictionCache, slot: CacheSlot, version = 1) =>
  cache.store(slot, version, stored(version).text);

describe(PredictionCache.name, () => {
  it('should find a result by the exact body bytes without parsing them when the same body comes again', async () => {
    const { cache, counts } = cacheWith();
    const { slot } = await lookup(cache, 'm', 1, raw('{"instances":[[1,2]]}'));
    store(cache, slot);
    const parse = jest.fn();
    const again = new RawJson(Buffer.from('{"instances":[[1,2]]}'), parse);
    expect(hitByText(cache, 'm', 1, again)).toMatchObject(stored());
    expect(parse).not.toHaveBeenCalled();
    expect(counts).toEqual({ hit: 1, miss: 1, bypass: 0 });
  });

  it('should find a result by its canonical rows when the body is written differently', async () => {
    const { cache } = cacheWith();
    store(cache, (await lookup(cache, 'm', 1, raw('{"inputs":[{"a":1,"b":2}]}'))).slot);
    const other = raw('{ "inputs": [ {"b": 2, "a": 1} ] }');
    expect(hitByText(cache, 'm', 1, other)).toBeUndefined();
    expect((await lookup(cache, 'm', 1, other)).hit).toMatchObject(stored());
    expect(hitByText(cache, 'm', 1, other)).toMatchObject(stored());
  });

  it('should share an entry between bodies read into the same tensors, and not between different ones', async () => {
    const { cache } = cacheWith();
    const key = PredictionCache.ofTensors('m', 1, tensors(0.1, 2));
    store(cache, (await cache.lookup(key, undefined)).slot);
    // 0.1 and 0.10000000001 are the same float32: the model would get the same input.
    expect(
      (await cache.lookup(PredictionCache.ofTensors('m', 1, tensors(0.10000000001, 2)), undefined)).hit,
    ).toBeDefined();
    expect((await cache.lookup(PredictionCache.ofTensors('m', 1, tensors(0.2, 2)), undefined)).hit).toBeUndefined();
    expect((await cache.lookup(PredictionCache.ofTensors('m', 2, tensors(0.1, 2)), undefined)).hit).toBeUndefined();
    const reshaped = { feeds: { x: { data: Float32Array.from([0.1, 2]), dims: [2, 1] } }, rows: 2 };
    expect((await cache.lookup(PredictionCache.ofTensors('m', 1, reshaped), undefined)).hit).toBeUndefined();
  });

  it('should miss when the model version or the model differs', async () => {
    const { cache } = cacheWith();
    const body = '{"instances":[[1,2]]}';
    store(cache, (await lookup(cache, 'm', 1, raw(body))).slot);
    expect(hitByText(cache, 'm', 2, raw(body))).toBeUndefined();
    expect(hitByText(cache, 'n', 1, raw(body))).toBeUndefined();
    expect((await lookup(cache, 'm', 2, raw(body))).hit).toBeUndefined();
  });

  it('should not serve an entry found by its text after its time to live, even when linked later', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const { cache } = cacheWith({ RESULT_CACHE_TTL_MS: 1000 });
      store(cache, (await lookup(cache, 'm', 1, raw('{"instances":[[1]]}'))).slot);
      jest.setSystemTime(1_000_999);
      expect(hitByText(cache, 'm', 1, raw('{"instances":[[1]]}'))).toBeDefined();
      jest.setSystemTime(1_001_001);
      expect(hitByText(cache, 'm', 1, raw('{"instances":[[1]]}'))).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('should write the answer JSON.stringify writes, with the request id last, when answering from the stored text', async () => {
    const { cache } = cacheWith();
    const { slot } = await lookup(cache, 'm', 1, raw('{"instances":[[1]]}'));
    store(cache, slot);
    const hit = hitByText(cache, 'm', 1, raw('{"instances":[[1]]}'))!;
    for (const id of ['r-1', 'we"ird\u2028']) {
      expect(PredictionCache.answer(hit.text, true, id)).toBe(
        JSON.stringify({ ...result(), cached: true, requestId: id }),
      );
      const experiment = { id: 'e', variant: 'b' };
      expect(PredictionCache.answer(hit.text, true, id, JSON.stringify(experiment))).toBe(
        JSON.stringify({ ...result(), cached: true, experiment, requestId: id }),
      );
      expect(PredictionCache.predictionsOf(hit.text)).toEqual(result().predictions);
      expect(PredictionCache.answer(hit.text, false, id)).toBe(
        JSON.stringify({ ...result(), cached: false, requestId: id }),
      );
    }
  });

  it('should bypass and count it when no-cache is asked, the body is too large or the cache is off', () => {
    const { cache, counts } = cacheWith();
    expect(cache.bypasses(true, 10)).toBe(true);
    expect(cache.bypasses(false, 1001)).toBe(true);
    expect(cache.bypasses(false, 1000)).toBe(false);
    expect(cacheWith({ RESULT_CACHE_TTL_MS: 0 }).cache.bypasses(false, 1)).toBe(true);
    expect(counts.bypass).toBe(2);
  });

  it('should find in the shared cache what another replica stored when the input is the same', async () => {
    const redis = new Map<string, unknown>();
    const shared = {
      get: (k: string) => Promise.resolve(redis.get(k)),
      set: (k: string, v: unknown) => Promise.resolve(void redis.set(k, v)),
    } as unknown as Cache;
    const one = cacheWith({}, shared).cache;
    store(one, (await lookup(one, 'm', 1, raw('{"inputs":[{"a":1,"b":2}]}'))).slot);
    await Promise.resolve();
    expect([...redis.keys()]).toEqual([`predict:${ResultCache.key('m', 1, [{ a: 1, b: 2 }])}`]);
    const other = cacheWith({}, shared).cache;
    expect((await lookup(other, 'm', 1, raw('{"inputs":[{"b":2,"a":1}]}'))).hit).toMatchObject(stored());
  });

  it('should give the shared cache the sha256 of the canonical input when keying', () => {
    const canonical = ResultCache.canonical('m', 1, [{ b: 1, a: 2 }]);
    expect(canonical).toBe('m\u00001\u0000[{"a":2,"b":1}]');
    expect(ResultCache.key('m', 1, [{ a: 2, b: 1 }])).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('should key long bodies by their hash when they are over the text-key size', () => {
    const long = Buffer.from(`{"instances":[[${'1,'.repeat(1000)}1]]}`);
    expect(ResultCache.textKey('m', 1, long).length).toBeLessThan(100);
    expect(ResultCache.textKey('m', 1, long)).not.toBe(
      ResultCache.textKey('m', 1, Buffer.concat([long, Buffer.from(' ')])),
    );
  });
});
