import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { answer, type DeltaOneClient } from './client';
import type { components } from './schema';

/** Called as the body is read by fetch: bytes of the file handed over so far, and the file size. */
export type UploadProgress = (sent: number, total: number) => void;

type Version = components['schemas']['VersionResponseDto'];
type VersionMetadata = Record<string, unknown>;
type Dataset = components['schemas']['DatasetResponseDto'];

export interface DatasetUpload {
  kind: Dataset['kind'];
  description?: string;
}

/**
 * Uploads a .onnx file as a new version, streamed (the file is never held in memory), reporting progress as
 * fetch pulls the body: FormData would read the whole file first and tell nothing while it is sent.
 */
export async function uploadVersion(
  client: DeltaOneClient,
  model: string,
  file: string,
  metadata: VersionMetadata = {},
  onProgress?: UploadProgress,
): Promise<Version> {
  const total = (await stat(file)).size;
  const boundary = `deltaone-${randomBytes(12).toString('hex')}`;
  const body = multipart(boundary, file, total, { metadata: JSON.stringify(metadata) }, onProgress);
  return answer(
    client.POST('/api/v1/models/{name}/versions', {
      params: { path: { name: model } },
      body: { file: basename(file), metadata: JSON.stringify(metadata) },
      bodySerializer: () => body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      // Node's fetch sends a stream body only when told it may start answering before the body is sent.
      duplex: 'half',
    }),
  );
}

/** Uploads a .csv or .jsonl file of rows as a benchmark or training dataset, streamed like uploadVersion. */
export async function uploadDataset(
  client: DeltaOneClient,
  model: string,
  file: string,
  upload: DatasetUpload,
  onProgress?: UploadProgress,
): Promise<Dataset> {
  const total = (await stat(file)).size;
  const boundary = `deltaone-${randomBytes(12).toString('hex')}`;
  const fields: Record<string, string> = { kind: upload.kind };
  if (upload.description) fields.description = upload.description;
  const body = multipart(boundary, file, total, fields, onProgress);
  return answer(
    client.POST('/api/v1/models/{name}/datasets', {
      params: { path: { name: model } },
      body: { file: basename(file), kind: upload.kind, description: upload.description },
      bodySerializer: () => body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      duplex: 'half',
    }),
  );
}

function multipart(
  boundary: string,
  file: string,
  total: number,
  fields: Record<string, string>,
  onProgress?: UploadProgress,
): ReadableStream<Uint8Array> {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const head = Buffer.from(
    parts.join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${basename(file).replace(/"/g, '')}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunks = createReadStream(file, { highWaterMark: 256 * 1024 })[Symbol.asyncIterator]();
  let sent = 0;
  let stage: 'head' | 'file' | 'done' = 'head';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'file';
        controller.enqueue(head);
        onProgress?.(0, total);
        return;
      }
      if (stage === 'file') {
        const next = (await chunks.next()) as IteratorResult<Buffer>;
        if (!next.done) {
          sent += next.value.length;
          controller.enqueue(next.value);
          onProgress?.(sent, total);
          return;
        }
        stage = 'done';
        controller.enqueue(tail);
        return;
      }
      controller.close();
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}
