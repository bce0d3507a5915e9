import { main } from 'src/client/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON (for runs with --json). */
  json: <T = Record<string, unknown>>() => T;
}

/** Runs the deltaone CLI in this process against `env` (DELTAONE_URL, DELTAONE_API_KEY, ...), output captured. */
export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err, json: <T>() => JSON.parse(out) as T };
}
