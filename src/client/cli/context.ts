import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { createDeltaOneClient, type DeltaOneClient } from '../client';

/** Where the CLI reads its environment and writes: the process in bin.ts, captured buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Progress bars are drawn here when it is a terminal (never into --json output or a captured buffer). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** What every command's action gets: the client for the chosen server, output in the chosen form, progress. */
export interface CliContext {
  readonly io: CliIo;
  readonly json: boolean;
  client(): DeltaOneClient;
  /** Prints `data` as JSON with --json, else the human text (or the JSON, indented, when there is none). */
  print<T>(data: T, human?: (data: T) => string): void;
  /** A progress bar on a terminal; nothing otherwise. */
  progress(label: string, unit: string): Progress;
}

/** A command group: one file under commands/, listed in commands/index.ts. */
export type CommandModule = (program: Command, ctx: (cmd: Command) => CliContext) => void;

export const DEFAULT_URL = 'http://localhost:3000';

export function cliContext(io: CliIo, options: GlobalOptions): CliContext {
  const json = options.json === true;
  return {
    io,
    json,
    client: () =>
      createDeltaOneClient({
        baseUrl: options.url ?? io.env.DELTAONE_URL ?? DEFAULT_URL,
        apiKey: options.key ?? io.env.DELTAONE_API_KEY,
      }),
    print(data, human) {
      io.out(`${json || !human ? JSON.stringify(data, null, json ? undefined : 2) : human(data)}\n`);
    },
    progress(label, unit) {
      const stream = io.progressStream;
      if (json || !stream?.isTTY) return { update: () => undefined, stop: () => undefined };
      const bar = new SingleBar({
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit}`,
        stream,
        hideCursor: true,
      });
      let started = false;
      return {
        update(done, total) {
          if (!started) bar.start(total, 0);
          started = true;
          bar.setTotal(total);
          bar.update(done);
        },
        stop: () => started && bar.stop(),
      };
    },
  };
}
