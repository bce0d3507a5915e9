import { parse } from 'csv-parse';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Row } from './contribution.rules';
import { ContributionError } from './contributions.errors';

export type UploadFormat = 'csv' | 'jsonl' | 'json';

export interface ContributionUpload {
  /** The rows, when there are at most `maxRows`; otherwise `large` holds the file for the durable job. */
  rows: Row[];
  large?: { bytes: Buffer; format: UploadFormat };
  /** The form fields: walletAddress, signature, signedAt, license, metadata (JSON). */
  fields: Record<string, string>;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** CSV cells: empty is null, a decimal number is a number, anything else stays a string. */
function castCell(value: string): unknown {
  if (value === '') return null;
  return NUMBER.test(value) ? Number(value) : value;
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

/** Parses the file as it arrives: CSV (header row) and JSONL row by row, JSON (an array of objects) at the end. */
export async function parseRows(stream: Readable, format: UploadFormat, maxRows: number): Promise<Row[]> {
  const rows: Row[] = [];
  const push = (row: unknown, at: number): void => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw badFile(format, `row ${at} is not an object`);
    if (rows.length >= maxRows) throw tooManyRows(maxRows);
    rows.push(row as Row);
  };
  if (format === 'csv') {
    const parser = stream.pipe(parse({ columns: true, bom: true, trim: true, cast: castCell }));
    try {
      for await (const record of parser) push(record, rows.length);
    } catch (err) {
      if (err instanceof ContributionError) throw err;
      throw badFile(format, (err as Error).message);
    }
    return rows;
  }
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
      push(value, line);
    }
    return rows;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badFile(format, 'it is not JSON');
  }
  if (!Array.isArray(value)) throw badFile(format, 'it is not an array of rows');
  value.forEach((row, i) => push(row, i));
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
 * and the contributor in form fields. Over `maxBytes` the rest is read and thrown away and 413 raised; over
 * `maxRows` the file is returned as `large` for the durable job.
 */
export async function readContributionUpload(
  request: FastifyRequest,
  maxBytes: number,
  maxRows: number,
): Promise<ContributionUpload> {
  const parts = request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 64 * 1024 } });
  const fields: Record<string, string> = {};
  let rows: Row[] | undefined;
  let large: ContributionUpload['large'];
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || rows) {
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
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      if (part.file.truncated) {
        throw new ContributionError('UPLOAD_TOO_LARGE', `The file is larger than ${maxBytes / 1024 / 1024} MB.`);
      }
      const bytes = Buffer.concat(chunks);
      try {
        rows = await parseRows(Readable.from([bytes]), format, maxRows);
      } catch (err) {
        if (!(err instanceof ContributionError) || err.code !== 'TOO_MANY_ROWS') throw err;
        rows = [];
        large = { bytes, format };
      }
    }
  } catch (err) {
    await drain(parts);
    throw err;
  }
  if (!rows) {
    throw new ContributionError('INVALID_FILE', 'The request has no `file` part.', {
      errors: [{ field: 'file', code: 'INVALID_FILE', message: 'file is required' }],
    });
  }
  return large ? { rows, fields, large } : { rows, fields };
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
