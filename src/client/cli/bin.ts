#!/usr/bin/env node
import { main } from './main';

main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  // The CLI is not the server: its settings are DELTAONE_URL and DELTAONE_API_KEY, not AppConfig.
  // eslint-disable-next-line no-restricted-syntax
  env: process.env,
  progressStream: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
