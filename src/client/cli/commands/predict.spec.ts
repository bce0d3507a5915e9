import { parseRows } from './predict';

describe('parseRows', () => {
  it('should read the rows when given one object, a pretty-printed list or JSON Lines', () => {
    expect(parseRows('{"a":1}')).toEqual([{ a: 1 }]);
    expect(parseRows('[\n  {"a":1},\n  {"a":2}\n]\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseRows('{\n  "a": 1\n}')).toEqual([{ a: 1 }]);
    expect(parseRows('{"a":1}\n{"a":2}\n\n')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('should throw a JSON syntax error when a line is not JSON', () => {
    expect(() => parseRows('{"a":1}\nnope')).toThrow(SyntaxError);
  });
});
