import { ResultCache } from './result-cache';

describe('ResultCache', () => {
  it('should give different cache keys when the version differs', () => {
    const rows = [{ f: 1 }];
    expect(ResultCache.key('m', 1, rows)).not.toBe(ResultCache.key('m', 2, rows));
    expect(ResultCache.key('m', 1, rows)).toMatch(/^[0-9a-f]{64}$/);
  });
});
