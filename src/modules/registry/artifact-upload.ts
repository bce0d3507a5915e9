import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeHashed } from 'src/platform/storage';
import { RegistryError } from './registry.errors';

/** An uploaded artifact, streamed to a temporary file while its sha256 is computed. */
export interface StagedArtifact {
  path: string;
  sha256: string;
  sizeBytes: number;
  filename: string;
}

export interface ParsedUpload {
  file: StagedArtifact;
  /** The raw `metadata` part, if any. */
  metadata: string | undefined;
}

export async function stagingDir(artifactDir: string): Promise<string> {
  const dir = resolve(artifactDir, 'tmp');
  await mkdir(dir, { recursive: true });
  return dir;
}

async function drain(parts: AsyncIterableIterator<unknown>): Promise<void> {
  try {
    for await (const part of parts) {
      const file = (part as Partial<MultipartFile>).file;
      if (file) file.resume();
    }
  } catch {
    // the request is being refused anyway
  }
}

/**
 * Reads a `multipart/form-data` request with the artifact in the part `file` and JSON metadata in the part
 * `metadata` (DESIGN §5). The file goes to a temporary file under `<ARTIFACT_DIR>/tmp` chunk by chunk: the
 * upload is never held in memory. The caller removes `file.path`. Over `maxBytes`, the rest of the request is
 * read and thrown away, then ARTIFACT_TOO_LARGE (413) is raised; the temporary file is removed.
 */
export async function readUpload(
  request: FastifyRequest,
  artifactDir: string,
  maxBytes: number,
): Promise<ParsedUpload> {
  if (!request.isMultipart()) {
    throw new RegistryError(
      'NOT_MULTIPART',
      'Upload the artifact as multipart/form-data with the parts `file` (the .onnx file) and `metadata` (JSON).',
    );
  }
  const dir = await stagingDir(artifactDir);
  let staged: StagedArtifact | undefined;
  let metadata: string | undefined;
  const parts = request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 4 * 1024 * 1024 } });
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname === 'metadata') metadata = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || staged) {
        part.file.resume();
        continue;
      }
      const path = join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}.upload`);
      staged = { path, sha256: '', sizeBytes: 0, filename: part.filename };
      const written = await writeHashed(part.file, path);
      if (part.file.truncated) {
        await drain(parts);
        throw new RegistryError(
          'ARTIFACT_TOO_LARGE',
          `The artifact is larger than the limit of ${Math.round(maxBytes / 1048576)} MB (MAX_ARTIFACT_MB).`,
        );
      }
      staged.sha256 = written.sha256;
      staged.sizeBytes = written.sizeBytes;
    }
  } catch (err) {
    if (staged) await rm(staged.path, { force: true });
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new RegistryError(
        'ARTIFACT_TOO_LARGE',
        `The artifact is larger than the limit of ${Math.round(maxBytes / 1048576)} MB (MAX_ARTIFACT_MB).`,
      );
    }
    throw err;
  }
  if (!staged) {
    throw RegistryError.field('ARTIFACT_MISSING', 'file', 'The request has no `file` part with the .onnx artifact.');
  }
  if (staged.sizeBytes === 0) {
    await rm(staged.path, { force: true });
    throw RegistryError.field('ARTIFACT_EMPTY', 'file', 'The uploaded file is empty.');
  }
  return { file: staged, metadata };
}

/** Reads and throws away a multipart body (a refused upload), so the client sees the answer, not a reset. */
export async function discardUpload(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return;
  await drain(request.parts());
}

/**
 * Removes staged uploads older than `maxAgeMs` (left behind when a process died mid-upload). Returns how many
 * files were removed.
 */
export async function sweepStaleUploads(artifactDir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  const dir = await stagingDir(artifactDir);
  let removed = 0;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    try {
      if (now - (await stat(path)).mtimeMs > maxAgeMs) {
        await rm(path, { force: true });
        removed++;
      }
    } catch {
      // removed by another replica sharing the directory
    }
  }
  return removed;
}
