import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CliIo } from 'src/client/cli/context';
import { main } from 'src/client/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON (for runs with --json). */
  json: <T = Record<string, unknown>>() => T;
}

/** Runs the deltaone CLI in this process against `env` (DELTAONE_URL, DELTAONE_API_KEY, ...), output captured. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  progressStream?: CliIo['progressStream'],
): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), env, progressStream });
  return { code, out, err, json: <T>() => JSON.parse(out) as T };
}

/** A stream that says it is a terminal (so progress bars are drawn) and keeps what is written to it. */
export function fakeTerminal(): Writable & { isTTY: true; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY: true as const, text: () => chunks.join('') });
}

/** Runs src/client/cli/bin.ts in a child node process (the binary as `npx deltaone` runs it, minus the build). */
export function spawnCli(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  const root = join(__dirname, '..', '..');
  const args = ['-r', join(root, 'test/support/swc-register.js'), join(root, 'src/client/cli/bin.ts'), ...argv];
  // A failure to start shows as exit code 1 with the reason on stderr, which the caller's expectations report.
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { env: { PATH: process.env.PATH, ...env } }, (error, out, err) =>
      resolve({ code: child.exitCode ?? 1, out, err: err || (error?.message ?? '') }),
    );
  });
}
