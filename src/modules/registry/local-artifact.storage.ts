import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ArtifactStorage } from './artifact-storage';

/** Artifacts as files under `<ARTIFACT_DIR>/objects/`, named by their sha256. */
export class LocalArtifactStorage implements ArtifactStorage {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(artifactDir: string) {
    this.root = resolve(artifactDir, 'objects');
  }

  private path(key: string): string {
    return join(this.root, key);
  }

  async put(key: string, sourcePath: string): Promise<void> {
    const target = this.path(key);
    if (await this.exists(key)) return;
    await mkdir(dirname(target), { recursive: true });
    // Copy to a unique name beside the target, then rename: readers never see a half-written artifact.
    const partial = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
      await rename(sourcePath, partial).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV') throw err;
        await copyFile(sourcePath, partial);
      });
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch {
      return false;
    }
  }

  read(key: string): Promise<Readable> {
    const stream = createReadStream(this.path(key));
    return new Promise((resolveStream, reject) => {
      stream.once('open', () => resolveStream(stream));
      stream.once('error', reject);
    });
  }

  async localPath(key: string): Promise<string> {
    await stat(this.path(key));
    return this.path(key);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  close(): void {
    // nothing to release
  }
}
