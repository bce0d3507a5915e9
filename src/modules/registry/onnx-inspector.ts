import { Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { normalizeShape, VersionSignature } from './registry.rules';

/** Runs in a child process: opens the model with onnxruntime-node and prints its inputs and outputs as JSON. */
const CHILD = `
const ort = require(process.argv[1]);
ort.InferenceSession.create(process.argv[2], { intraOpNumThreads: 1, interOpNumThreads: 1 })
  .then(async (s) => {
    const m = (v) => ({ name: v.name, isTensor: v.isTensor, type: v.isTensor ? v.type : null, shape: v.isTensor ? v.shape : [] });
    process.stdout.write(JSON.stringify({ ok: true, inputs: s.inputMetadata.map(m), outputs: s.outputMetadata.map(m) }));
    await s.release();
  })
  .catch((e) => process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message || e) })));
`;

interface ChildValue {
  name: string;
  isTensor: boolean;
  type: string | null;
  shape: Array<number | string>;
}

type ChildResult = { ok: true; inputs: ChildValue[]; outputs: ChildValue[] } | { ok: false; error: string };

export type InspectResult = { ok: true; signature: VersionSignature } | { ok: false; reason: string };

const TIMEOUT_MS = 120_000;
const MAX_PARALLEL = 2;

/**
 * Opens uploaded models with onnxruntime-node in a short-lived child process. The model's weights are loaded
 * there and not in the server (a 200 MB upload does not grow the server's memory), and a model that makes
 * onnxruntime crash cannot take the server down. At most two inspections run at a time.
 */
@Injectable()
export class OnnxInspector {
  private readonly ortPath = require.resolve('onnxruntime-node');
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  async inspect(path: string): Promise<InspectResult> {
    await this.acquire();
    try {
      return await this.run(path);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < MAX_PARALLEL) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private run(path: string): Promise<InspectResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', CHILD, this.ortPath, path], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: TIMEOUT_MS,
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c.slice(0, 2000)));
      child.once('error', (e) => resolve({ ok: false, reason: `could not start onnxruntime: ${e.message}` }));
      child.once('close', (code, signal) => {
        let parsed: ChildResult | undefined;
        try {
          parsed = JSON.parse(out) as ChildResult;
        } catch {
          parsed = undefined;
        }
        if (!parsed) {
          const why = signal ? `onnxruntime was stopped by ${signal}` : `onnxruntime exited with code ${code}`;
          resolve({ ok: false, reason: `${why}${err ? `: ${err.trim().split('\n').pop()}` : ''}` });
        } else if (!parsed.ok) {
          resolve({ ok: false, reason: parsed.error });
        } else {
          const spec = (v: ChildValue) => ({
            name: v.name,
            type: v.isTensor && v.type ? v.type : 'non-tensor',
            shape: normalizeShape(v.shape),
          });
          resolve({ ok: true, signature: { inputs: parsed.inputs.map(spec), outputs: parsed.outputs.map(spec) } });
        }
      });
    });
  }
}
