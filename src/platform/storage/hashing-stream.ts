import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A pass-through stream that hashes (sha256) and counts the bytes going through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  /** The hex sha256 of everything that went through; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  get sizeBytes(): number {
    return this.size;
  }
}

/** Streams `source` into the file at `path`, never holding it whole in memory: its sha256 and size. */
export async function writeHashed(source: Readable, path: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hashing = new HashingStream();
  await pipeline(source, hashing, createWriteStream(path));
  return { sha256: hashing.digest(), sizeBytes: hashing.sizeBytes };
}
