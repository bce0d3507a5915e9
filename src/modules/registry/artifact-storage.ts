import { Readable } from 'node:stream';

/**
 * Where model artifacts live, content-addressed by sha256. The local filesystem by default; S3-compatible
 * object storage (shared by several replicas) when ARTIFACT_STORAGE=s3.
 */
export interface ArtifactStorage {
  readonly kind: 'local' | 's3';
  /** Stores the file at `sourcePath` (which the caller owns and removes) under `key`; a no-op when present. */
  put(key: string, sourcePath: string, sizeBytes: number): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Streams the artifact. */
  read(key: string): Promise<Readable>;
  /** A local file path onnxruntime can open (downloaded into the local cache first when remote). */
  localPath(key: string, sha256: string): Promise<string>;
  delete(key: string): Promise<void>;
  /** Releases clients and sockets. */
  close(): void;
}

export const ARTIFACT_STORAGE = Symbol('ARTIFACT_STORAGE');

export const artifactKey = (sha256: string): string => `sha256/${sha256.slice(0, 2)}/${sha256}.onnx`;
