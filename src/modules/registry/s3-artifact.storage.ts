import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ArtifactStorage } from './artifact-storage';
import { writeHashed } from 'src/platform/storage';
import { RegistryError } from './registry.errors';

export interface S3ArtifactStorageOptions {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Downloaded artifacts are kept here (by sha256) so onnxruntime can open them as files. */
  cacheDir: string;
}

const isNotFound = (err: unknown): boolean =>
  err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound');

function unavailable(err: unknown): RegistryError {
  return new RegistryError(
    'ARTIFACT_STORAGE_UNAVAILABLE',
    `The artifact storage did not answer as expected: ${(err as Error).message}`,
  );
}

/** Artifacts as objects in an S3-compatible bucket (AWS S3, MinIO, ...), shared by every replica. */
export class S3ArtifactStorage implements ArtifactStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly cacheDir: string;

  constructor(private readonly options: S3ArtifactStorageOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // Plain single-part PUTs of a known length: understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.cacheDir = resolve(options.cacheDir);
  }

  private objectKey(key: string): string {
    return `${this.options.prefix}${key}`;
  }

  async put(key: string, sourcePath: string, sizeBytes: number): Promise<void> {
    if (await this.exists(key)) return;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.objectKey(key),
          Body: createReadStream(sourcePath),
          ContentLength: sizeBytes,
          ContentType: 'application/octet-stream',
        }),
      );
    } catch (err) {
      throw unavailable(err);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw unavailable(err);
    }
  }

  async read(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      return res.Body as Readable;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async localPath(key: string, sha256: string): Promise<string> {
    const target = join(this.cacheDir, key);
    try {
      if ((await stat(target)).isFile()) return target;
    } catch {
      // not cached yet
    }
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${randomBytes(6).toString('hex')}.partial`;
    try {
      const { sha256: got } = await writeHashed(await this.read(key), partial);
      if (got !== sha256) {
        throw new RegistryError(
          'ARTIFACT_STORAGE_UNAVAILABLE',
          `The stored artifact ${key} has sha256 ${got}, not ${sha256}.`,
        );
      }
      await rename(partial, target);
      return target;
    } finally {
      await rm(partial, { force: true });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      if (!isNotFound(err)) throw unavailable(err);
    }
    await rm(join(this.cacheDir, key), { force: true });
  }

  close(): void {
    this.client.destroy();
  }
}
