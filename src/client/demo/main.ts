#!/usr/bin/env node
import { describeError } from '../cli/output';
import { DEFAULT_URL } from '../cli/context';
import { runDemo, STEPS } from './flow';
import { DemoFailure, DemoLog } from './log';
import { DemoReceiver } from './receiver';

/**
 * `npm run demo`: the whole flow against a running server, on data it generates. Exits 0 only when every step
 * did what it should. Settings come from the environment like the CLI's (it is a client, not the server).
 */
async function demo(env: Record<string, string | undefined>, write: (s: string) => void): Promise<number> {
  const baseUrl = env.DELTAONE_URL ?? DEFAULT_URL;
  const apiKey = env.DELTAONE_API_KEY;
  if (!apiKey) {
    write(
      'DELTAONE_API_KEY is not set: give the admin key the server printed on its first start (or ADMIN_API_KEY).\n',
    );
    return 2;
  }
  write(`DeltaOne demo against ${baseUrl}\n`);
  const receiver = await DemoReceiver.start();
  const log = new DemoLog(write, STEPS);
  try {
    await runDemo({ baseUrl, apiKey, log, receiver, timeoutSeconds: Number(env.DEMO_TIMEOUT_SECONDS ?? 90) });
    write('\nDemo complete: every step did what it should.\n');
    return 0;
  } catch (error) {
    const why = error instanceof DemoFailure ? error.message : describeError(error);
    write(`      FAILED: ${why.split('\n').join('\n      ')}\n\nDemo failed.\n`);
    return 1;
  } finally {
    await receiver.close();
  }
}

// eslint-disable-next-line no-restricted-syntax -- a client's settings, like the CLI's bin.ts
demo(process.env, (s) => process.stdout.write(s)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${String(error)}\n`);
    process.exit(1);
  },
);
