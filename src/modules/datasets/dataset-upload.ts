import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOf } from 'src/modules/contributions';
import { writeHashed } from 'src/platform/storage';
import { DatasetError } from './datasets.errors';

export type DatasetFormat = 'csv' | 'jsonl';

/** An uploaded dataset file, streamed to a temporary file (the caller removes `path`) and hashed on the way. */
export interface StagedDataset {
  path: string;
  format: DatasetFormat;
  sha256: string;
  sizeBytes: number;
  /** The form fields (`kind`, `description`). */
  fields: Record<string, string>;
}

function noFile(message: string): DatasetError {
  return new DatasetError('INVALID_FILE', `The dataset file is missing or not CSV or JSONL: ${message}.`, {
    errors: [{ field: 'file', code: 'INVALID_FILE', message }],
  });
}

/** Reads and throws away the rest of a refused multipart body, so the client sees the answer, not a reset. */
export async function drainParts(parts: AsyncIterableIterator<unknown>): Promise<void> {
  try {
    for await (const part of parts) (part as Partial<MultipartFile>).file?.resume();
  } catch {
    // the request is being refused anyway
  }
}

/**
 * Reads a `multipart/form-data` dataset: the rows in the part `file` (.csv with a header row or .jsonl, up to
 * `maxBytes`) and the form fields. The file is never held in memory: it goes to a temporary file, hashed.
 */
export async function readDatasetUpload(request: FastifyRequest, maxBytes: number): Promise<StagedDataset> {
  if (!request.isMultipart()) throw noFile('send multipart/form-data with the rows in the part `file`');
  const parts = request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 64 * 1024 } });
  const fields: Record<string, string> = {};
  let staged: StagedDataset | undefined;
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || staged) {
        part.file.resume();
        continue;
      }
      const format = formatOf(part.filename, part.mimetype);
      if (format !== 'csv' && format !== 'jsonl') {
        part.file.resume();
        throw noFile('the file must be .csv or .jsonl');
      }
      const path = join(tmpdir(), `dataset-${randomUUID()}.${format}`);
      staged = { path, format, sha256: '', sizeBytes: 0, fields };
      Object.assign(staged, await writeHashed(part.file, path));
      if (part.file.truncated) {
        throw new DatasetError('UPLOAD_TOO_LARGE', `The file is larger than ${maxBytes / 1024 / 1024} MB.`);
      }
    }
    if (!staged) throw noFile('the request has no `file` part');
    return staged;
  } catch (err) {
    await drainParts(parts);
    if (staged) await rm(staged.path, { force: true });
    throw err;
  }
}
