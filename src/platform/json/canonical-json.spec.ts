import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('should give the same text when only the key order differs', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('should write rows of plain values as JSON does when rows are arrays', () => {
    expect(canonicalJson([[1, 2.5, null, 'a', true], [3]])).toBe('[[1,2.5,null,"a",true],[3]]');
    expect(canonicalJson([1, undefined])).toBe('[1,null]');
  });

  it('should write numbers in their shortest form when they are -0, 1.0 or not finite', () => {
    expect(canonicalJson({ a: -0, b: 1.0, c: NaN, d: Infinity })).toBe('{"a":0,"b":1,"c":null,"d":null}');
    expect(canonicalJson([-0, -Infinity])).toBe('[0,null]');
  });

  it('should write null for what JSON cannot hold when a key is undefined, a function or a bigint', () => {
    expect(canonicalJson({ b: undefined, a: () => 1 })).toBe('{"a":null,"b":null}');
    expect(canonicalJson([{ x: 1n }, 2n])).toBe('[{"x":null},null]');
  });

  it('should escape keys and strings as JSON does when they hold quotes or unicode', () => {
    expect(canonicalJson({ 'k"é': 'a\nb\u2028' })).toBe(JSON.stringify({ 'k"é': 'a\nb\u2028' }));
  });
});
