import { canonicalJson } from './canonical-json';
import { ResultCache } from './result-cache';

describe('canonicalJson', () => {
  it('should give the same text when only the key order differs', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('should write rows of plain values as JSON does when rows are arrays', () => {
    expect(canonicalJson([[1, 2.5, null, 'a', true], [3]])).toBe('[[1,2.5,null,"a",true],[3]]');
    expect(canonicalJson([1, undefined])).toBe('[1,null]');
  });

  it('should give different cache keys when the version differs', () => {
    const rows = [{ f: 1 }];
    expect(ResultCache.key('m', 1, rows)).not.toBe(ResultCache.key('m', 2, rows));
    expect(ResultCache.key('m', 1, rows)).toMatch(/^[0-9a-f]{64}$/);
  });
});
