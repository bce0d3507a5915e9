import { numberArray, textArray } from './pg-arrays';

describe('PostgreSQL array literals', () => {
  it('should quote every string and escape quotes and backslashes when building a text array', () => {
    expect(textArray(['a', 'we"ird', 'back\\slash', '{,} ', ''])).toBe('{"a","we\\"ird","back\\\\slash","{,} ",""}');
  });

  it('should write NULL unquoted when a value is null', () => {
    expect(textArray([null, 'NULL'])).toBe('{NULL,"NULL"}');
    expect(numberArray([1, null, 2.5])).toBe('{1,NULL,2.5}');
  });

  it('should write an empty array when there are no values', () => {
    expect(textArray([])).toBe('{}');
    expect(numberArray([])).toBe('{}');
  });

  it('should write booleans as true and false when building an array of them', () => {
    expect(numberArray([true, false, null])).toBe('{true,false,NULL}');
  });
});
