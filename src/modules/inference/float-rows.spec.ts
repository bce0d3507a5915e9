import { readFloatRows as readBytes } from './float-rows';

const readFloatRows = (text: string, width: number, maxRows: number) => readBytes(Buffer.from(text), width, maxRows);

/** What the checked path makes of the same text: JSON.parse, then a store into a Float32Array. */
function reference(text: string): Float32Array {
  return Float32Array.from((JSON.parse(text) as { instances: number[][] }).instances.flat());
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** Numbers written every way JSON allows, with a seeded generator so a failure can be replayed. */
function numbers(seed: number, count: number): string[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  const forms = [
    () => String((next() - 0.5) * 10 ** Math.floor(next() * 12 - 6)),
    () => (next() * 1000).toExponential(Math.floor(next() * 20)),
    () => (next() - 0.5).toFixed(Math.floor(next() * 25)),
    () => `${next() < 0.5 ? '-' : ''}${1 + Math.floor(next() * 9)}${digits(Math.floor(next() * 30))}`,
    () => `0.${digits(1 + Math.floor(next() * 30))}`,
    () =>
      `${1 + Math.floor(next() * 9)}.${digits(5)}E${next() < 0.5 ? `-${Math.floor(next() * 45)}` : `+${Math.floor(next() * 38)}`}`,
    () => String(Math.fround(next() * 100)),
    () =>
      ['0', '-0', '-0.0', '0e5', '1e-45', '3.4028234663852886e38', '1.17549435e-38', '9007199254740993e-16'][
        Math.floor(next() * 8)
      ],
  ];
  return Array.from({ length: count }, () => forms[Math.floor(next() * forms.length)]());
}

describe('reading instances straight into a float32 matrix', () => {
  it('should give the same bits as JSON.parse when numbers come in every JSON form', () => {
    // Four numbers a body: at most four go the slow way, so no body is left to JSON.parse for having too many.
    for (let seed = 1; seed <= 3000; seed++) {
      const values = numbers(seed, 4);
      const text = `{"instances": [[${values.slice(0, 2).join(', ')}], [${values.slice(2).join(',')}]]}`;
      const read = readFloatRows(text, 2, 100);
      expect([text, read?.rows]).toEqual([text, 2]);
      expect(sameBits(read!.data, reference(text))).toBe(true);
    }
  });

  it('should accept JSON whitespace anywhere when the form is otherwise exact', () => {
    const text = ' \n{\t"instances"\r\n: [ [ 1 ,2.5 ] ,\n[-3e2, 0 ] ] } \n';
    expect(readFloatRows(text, 2, 10)).toEqual({ data: Float32Array.from([1, 2.5, -300, 0]), rows: 2 });
  });

  it('should leave the body to the checked path when it is anything but the simple form', () => {
    const cases = [
      '{"inputs": [[1, 2]]}',
      '{"instances": [[1, 2]], "extra": 1}',
      '{"instances": [[1, 2]], "instances": [[3, 4]]}',
      '{"\\u0069nstances": [[1, 2]]}',
      '{"instances": []}',
      '{"instances": [1, 2]}',
      '{"instances": [[1, 2, 3]]}',
      '{"instances": [[1]]}',
      '{"instances": [[1, "2"]]}',
      '{"instances": [[1, null]]}',
      '{"instances": [[1, true]]}',
      '{"instances": [[1, [2]]]}',
      '{"instances": [[01, 2]]}',
      '{"instances": [[1., 2]]}',
      '{"instances": [[.5, 2]]}',
      '{"instances": [[+1, 2]]}',
      '{"instances": [[1e, 2]]}',
      '{"instances": [[NaN, 2]]}',
      '{"instances": [[Infinity, 2]]}',
      '{"instances": [[1e400, 2]]}',
      '{"instances": [[1e39, 2]]}',
      '{"instances": [[-3.5e38, 2]]}',
      '{"instances": [[1, 2],]}',
      '{"instances": [[1, 2]]',
      '{"instances": [[1, 2]]} x',
      '{"instances": [[1, 2] [3, 4]]}',
      '\ufeff{"instances": [[1, 2]]}',
      '{"instances": [[1, 2]]}\u00e9',
      '{"instances": [[1, \u0662]]}',
      '{"instances',
      '[[1, 2]]',
      '',
    ];
    for (const text of cases) expect([text, readFloatRows(text, 2, 10)]).toEqual([text, null]);
  });

  it('should read full-precision doubles itself when a body has many of them', () => {
    const full = Array.from({ length: 64 }, (_, i) => Math.sin(i + 1) * 10 ** ((i % 9) - 4));
    const text = JSON.stringify({ instances: [full, full.map((v) => -v / 3)] });
    const read = readFloatRows(text, 64, 10);
    expect(read?.rows).toBe(2);
    expect(sameBits(read!.data, reference(text))).toBe(true);
  });

  it('should give the same bits as JSON.parse when numbers lie at or next to a float32 rounding boundary', () => {
    // The halfway point between two adjacent float32s, and the doubles either side of it, written with up to 40
    // digits: where an approximate conversion would round the wrong way.
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    const values: string[] = [];
    for (let n = 0; n < 4000; n++) {
      bits[0] = Math.floor(next() * 0x7f000000);
      const low = asFloat[0];
      bits[0] += 1;
      const halfway = (low + asFloat[0]) / 2;
      const nudged = [halfway, halfway * (1 + 2 ** -52), halfway * (1 - 2 ** -53)][n % 3];
      const precision = 17 + Math.floor(next() * 4);
      values.push(n % 7 === 0 ? nudged.toExponential(precision + 19) : nudged.toPrecision(precision));
    }
    for (let k = 0; k < values.length; k += 4) {
      const text = `{"instances": [[${values.slice(k, k + 4).join(',')}]]}`;
      expect([text, sameBits(readFloatRows(text, 4, 10)?.data ?? new Float32Array(), reference(text))]).toEqual([
        text,
        true,
      ]);
    }
  });

  it('should leave the body to JSON.parse when many of its numbers have more digits than it reads', () => {
    const long = (i: number) =>
      `0.${String(i + 1)
        .repeat(45)
        .slice(0, 45)}`;
    const row = (n: number) => Array.from({ length: 8 }, (_, i) => (i < n ? long(i) : String(i))).join(',');
    expect(readFloatRows(`{"instances": [[${row(4)}]]}`, 8, 10)?.rows).toBe(1);
    expect(readFloatRows(`{"instances": [[${row(8)}]]}`, 8, 10)).toBeNull();
  });

  it('should give each call its own values when a large body grows the buffer in between', () => {
    const small = readFloatRows('{"instances": [[1, 2]]}', 2, 10);
    const rows = Array.from({ length: 3000 }, (_, r) => [r, -r - 0.5]);
    const large = readFloatRows(JSON.stringify({ instances: rows }), 2, 5000);
    expect(Array.from(small!.data)).toEqual([1, 2]);
    expect(sameBits(large!.data, Float32Array.from(rows.flat()))).toBe(true);
  });

  it('should leave the body to the checked path when it has more rows than allowed', () => {
    const text = JSON.stringify({ instances: [[1], [2], [3]] });
    expect(readFloatRows(text, 1, 2)).toBeNull();
    expect(readFloatRows(text, 1, 3)?.rows).toBe(3);
  });
});
