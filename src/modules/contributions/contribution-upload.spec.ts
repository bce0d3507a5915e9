import { Readable } from 'node:stream';
import { formatOf, parseRows, readRows } from './contribution-upload';

const stream = (text: string) => Readable.from([Buffer.from(text)]);

describe('contribution upload parsing', () => {
  it('should read CSV cells as text and empty cells as null when the file has a header row', async () => {
    const rows = await parseRows(stream('f0,name,label\n1.5,abc,yes\n,007x,no\n-2e3,,1\n'), 'csv', 10);
    expect(rows).toEqual([
      { f0: '1.5', name: 'abc', label: 'yes' },
      { f0: null, name: '007x', label: 'no' },
      { f0: '-2e3', name: null, label: '1' },
    ]);
  });

  it('should give the rows in chunks of the size asked when the file is longer', async () => {
    const text = ['a', ...Array.from({ length: 7 }, (_, i) => String(i))].join('\n');
    const sizes: number[] = [];
    for await (const chunk of readRows(stream(text), 'csv', 3)) sizes.push(chunk.length);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('should read JSONL skipping blank lines and JSON arrays when the rows are objects', async () => {
    expect(await parseRows(stream('{"a":1}\n\n{"a":2}\n'), 'jsonl', 10)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await parseRows(stream('[{"a":1},{"a":2}]'), 'json', 10)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('should throw TOO_MANY_ROWS when there are more rows than allowed and INVALID_FILE when a row is not an object', async () => {
    await expect(parseRows(stream('{"a":1}\n{"a":2}\n{"a":3}'), 'jsonl', 2)).rejects.toMatchObject({
      code: 'TOO_MANY_ROWS',
    });
    await expect(parseRows(stream('[1, 2]'), 'json', 10)).rejects.toMatchObject({ code: 'INVALID_FILE' });
    await expect(parseRows(stream('{"a":1}\nnope'), 'jsonl', 10)).rejects.toMatchObject({ code: 'INVALID_FILE' });
    await expect(parseRows(stream('a,b\n1,2\n1,2,3\n'), 'csv', 10)).rejects.toMatchObject({ code: 'INVALID_FILE' });
  });

  it('should tell the format from the file name or media type when it is CSV, JSONL or JSON', () => {
    expect(formatOf('rows.CSV', 'application/octet-stream')).toBe('csv');
    expect(formatOf('rows.ndjson', '')).toBe('jsonl');
    expect(formatOf('blob', 'application/json')).toBe('json');
    expect(formatOf('rows.txt', 'text/plain')).toBeNull();
  });
});
