import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stagingDir, sweepStaleUploads } from './artifact-upload';

describe('staged uploads', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'staging-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should remove only staged files older than the limit when sweeping', async () => {
    const staging = await stagingDir(dir);
    writeFileSync(join(staging, 'old.upload'), 'x');
    writeFileSync(join(staging, 'new.upload'), 'y');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(staging, 'old.upload'), hourAgo, hourAgo);

    expect(await sweepStaleUploads(dir, 60_000)).toBe(1);
    expect(readdirSync(staging)).toEqual(['new.upload']);
  });

  it('should create the staging directory when it does not exist yet', async () => {
    expect(await sweepStaleUploads(join(dir, 'fresh'), 1000)).toBe(0);
    expect(readdirSync(join(dir, 'fresh'))).toEqual(['tmp']);
  });
});
