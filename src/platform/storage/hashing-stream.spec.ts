import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writeHashed } from './hashing-stream';

describe(writeHashed.name, () => {
  it('should write the bytes and answer their sha256 and size when the source comes in pieces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hashing-'));
    try {
      const pieces = [Buffer.from('abc'), Buffer.alloc(70_000, 7), Buffer.from('xyz')];
      const path = join(dir, 'out.bin');
      const got = await writeHashed(Readable.from(pieces), path);
      const whole = Buffer.concat(pieces);
      expect(got).toEqual({ sha256: createHash('sha256').update(whole).digest('hex'), sizeBytes: whole.length });
      expect(readFileSync(path).equals(whole)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
