import { BenchmarkMatrix, BenchmarkMatrixCache, matrixBytes } from './benchmark-matrix-cache';

const matrix = (rows: number, width = 4): BenchmarkMatrix => ({
  rows,
  data: new Float32Array(rows * width),
  labels: Array.from({ length: rows }, (_, i) => i % 2),
});

describe('BenchmarkMatrixCache', () => {
  it('should key a matrix by dataset, label column and feature order when asked again', () => {
    const cache = new BenchmarkMatrixCache(1 << 20);
    const m = matrix(10);
    cache.set(BenchmarkMatrixCache.key('d1', ['a', 'b'], 'label'), m);
    expect(cache.get(BenchmarkMatrixCache.key('d1', ['a', 'b'], 'label'))).toBe(m);
    expect(cache.get(BenchmarkMatrixCache.key('d1', ['b', 'a'], 'label'))).toBeUndefined();
    expect(cache.get(BenchmarkMatrixCache.key('d1', ['a', 'b'], 'y'))).toBeUndefined();
    expect(cache.get(BenchmarkMatrixCache.key('d2', ['a', 'b'], 'label'))).toBeUndefined();
  });

  it('should evict the least recently used matrix when a new one does not fit', () => {
    const one = matrixBytes(matrix(10));
    const cache = new BenchmarkMatrixCache(2 * one);
    cache.set('a', matrix(10));
    cache.set('b', matrix(10));
    cache.get('a');
    cache.set('c', matrix(10));
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBe(2 * one);
  });

  it('should not keep a matrix when it alone is larger than the bound', () => {
    const cache = new BenchmarkMatrixCache(matrixBytes(matrix(10)));
    cache.set('a', matrix(10));
    cache.set('big', matrix(11));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
  });

  it('should count a replaced matrix once when the same key is set again', () => {
    const cache = new BenchmarkMatrixCache(1 << 20);
    cache.set('a', matrix(10));
    cache.set('a', matrix(20));
    expect(cache.bytes).toBe(matrixBytes(matrix(20)));
  });
});
