import { parse } from 'csv-parse';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, Readable, Transform } from 'node:stream';
import { writeHashed } from 'src/platform/storage';
import { Row } from './contribution.rules';
import { ContributionError } from './contributions.errors';

export type UploadFormat = 'csv' | 'jsonl' | 'json';

export interface ContributionUpload {
  /** The rows, when there are at most `maxRows`; otherwise `large` holds the file for the durable job. */
  rows: Row[];
  /** CSV: every cell is text, typed later by the model's schema (typeTextRow). */
  textCells: boolean;
  /** The file on disk (the caller removes it) when it has more than `maxRows` rows. */
  large?: { path: string; format: UploadFormat };
  /** sha256 (hex) of the file's bytes, computed as they arrived. */
  sha256: string;
  /** The form fields: walletAddress, signature, signedAt, license, metadata (JSON). */
  fields: Record<string, string>;
}

export function formatOf(filename: string, mimetype: string): UploadFormat | null {
  const name = filename.toLowerCase();
  if (name.endsWith('.csv') || mimetype === 'text/csv') return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || mimetype === 'application/x-ndjson') return 'jsonl';
  if (name.endsWith('.json') || mimetype === 'application/json') return 'json';
  return null;
}

function tooManyRows(maxRows: number): ContributionError {
  return new ContributionError('TOO_MANY_ROWS', `An upload may hold at most ${maxRows} rows.`);
}

function badFile(format: UploadFormat, detail: string): ContributionError {
  return new ContributionError('INVALID_FILE', `The ${format.toUpperCase()} file cannot be read: ${detail}`, {
    errors: [{ field: 'file', code: 'INVALID_FILE', message: detail }],
  });
}

function asRow(format: UploadFormat, value: unknown, at: number): Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badFile(format, `row ${at} is not an object`);
  return value as Row;
}

/** Groups the records of an object stream into arrays of `size`: one async step per chunk, not per row. */
function chunker(size: number): Transform {
  let chunk: Row[] = [];
  return new Transform({
    objectMode: true,
    transform(row: Row, _encoding, done) {
      chunk.push(row);
      if (chunk.length >= size) {
        this.push(chunk);
        chunk = [];
      }
      done();
    },
    flush(done) {
      if (chunk.length > 0) this.push(chunk);
      done();
    },
  });
}

/**
 * The rows of a file, `size` at a time, as it is read: CSV (header row; every cell text, an empty cell null) and
 * JSONL stream; JSON (an array of objects) is parsed whole at the end, so large files should be CSV or JSONL.
 */
export async function* readRows(stream: Readable, format: UploadFormat, size: number): AsyncGenerator<Row[]> {
  if (format === 'csv') {
    // No `cast` option: csv-parse calls it with a context object per cell, which makes parsing ~8× slower and
    // leaves hundreds of MB of garbage on a 50 MB file; empty cells are made null here instead.
    // pipeline, not pipe: a parse error destroys the last stream too, so the loop below throws it.
    const chunks = pipeline(stream, parse({ columns: true, bom: true, trim: true }), chunker(size), () => undefined);
    let at = 0;
    try {
      for await (const chunk of chunks as AsyncIterable<Row[]>) {
        for (const row of chunk) {
          asRow(format, row, at++);
          for (const column in row) if (row[column] === '') row[column] = null;
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ContributionError) throw err;
      throw badFile(format, (err as Error).message);
    }
    return;
  }
  let chunk: Row[] = [];
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw badFile(format, `line ${line} is not JSON`);
      }
      chunk.push(asRow(format, value, line));
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
    return;
  }
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw badFile(format, 'it is not JSON');
  }
  if (!Array.isArray(value)) throw badFile(format, 'it is not an array of rows');
  for (let i = 0; i < value.length; i += size) yield value.slice(i, i + size).map((v, j) => asRow(format, v, i + j));
}

/** All the rows of a file, refused with TOO_MANY_ROWS past `maxRows`. */
export async function parseRows(stream: Readable, format: UploadFormat, maxRows: number): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const chunk of readRows(stream, format, 1000)) {
    if (rows.length + chunk.length > maxRows) throw tooManyRows(maxRows);
    rows.push(...chunk);
  }
  return rows;
}

async function drain(parts: AsyncIterableIterator<unknown>): Promise<void> {
  try {
    for await (const part of parts) (part as Partial<MultipartFile>).file?.resume();
  } catch {
    // the request is being refused anyway
  }
}

/**
 * Reads a `multipart/form-data` contribution: the rows in the part `file` (CSV, JSONL or JSON, up to `maxBytes`)
 * and the contributor in form fields. The file is streamed to a temporary file (never held whole in memory) and
 * hashed on the way. Over `maxBytes` the rest is read and thrown away and 413 raised; over `maxRows` the file is
 * returned as `large` for the durable job (the caller removes `large.path`).
 */
export async function readContributionUpload(
  request: FastifyRequest,
  maxBytes: number,
  maxRows: number,
): Promise<ContributionUpload> {
  const parts = request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 64 * 1024 } });
  const fields: Record<string, string> = {};
  let staged: { path: string; format: UploadFormat; sha256: string } | undefined;
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
      if (!format) {
        part.file.resume();
        throw new ContributionError('INVALID_FILE', 'The file must be .csv, .jsonl or .json.', {
          errors: [{ field: 'file', code: 'INVALID_FILE', message: 'unsupported file type' }],
        });
      }
      const path = join(tmpdir(), `contribution-${randomUUID()}.${format}`);
      staged = { path, format, sha256: '' };
      staged.sha256 = (await writeHashed(part.file, path)).sha256;
      if (part.file.truncated) {
        throw new ContributionError('UPLOAD_TOO_LARGE', `The file is larger than ${maxBytes / 1024 / 1024} MB.`);
      }
    }
    if (!staged) {
      throw new ContributionError('INVALID_FILE', 'The request has no `file` part.', {
        errors: [{ field: 'file', code: 'INVALID_FILE', message: 'file is required' }],
      });
    }
    const { path, format, sha256 } = staged;
    const textCells = format === 'csv';
    const input = createReadStream(path);
    try {
      const rows = await parseRows(input, format, maxRows);
      await rm(path, { force: true });
      return { rows, textCells, sha256, fields };
    } catch (err) {
      if (!(err instanceof ContributionError) || err.code !== 'TOO_MANY_ROWS') throw err;
      return { rows: [], textCells, large: { path, format }, sha256, fields };
    } finally {
      // Parsing stops at the row past `maxRows`: the rest of the file is not read.
      input.destroy();
    }
  } catch (err) {
    await drain(parts);
    if (staged) await rm(staged.path, { force: true });
    throw err;
  }
}

/** The JSON body an upload stands for (validated like a JSON contribution). */
export function uploadToBody(upload: ContributionUpload): Record<string, unknown> {
  const f = upload.fields;
  const body: Record<string, unknown> = {
    rows: upload.rows,
    contributor: {
      walletAddress: f.walletAddress ?? '',
      ...(f.signature !== undefined ? { signature: f.signature } : {}),
      ...(f.signedAt !== undefined ? { signedAt: f.signedAt } : {}),
    },
  };
  if (f.license !== undefined) body.license = f.license;
  if (f.metadata !== undefined) {
    try {
      body.metadata = JSON.parse(f.metadata) as unknown;
    } catch {
      throw new ContributionError('INVALID_FILE', 'The field `metadata` is not JSON.', {
        errors: [{ field: 'metadata', code: 'INVALID_JSON', message: 'metadata must be JSON' }],
      });
    }
  }
  return body;
}
