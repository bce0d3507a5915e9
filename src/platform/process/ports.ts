import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address() as { port: number };
      srv.close(() => resolve(bound));
    });
  });
}

/** A port nothing listens on at this moment (the kernel's choice). */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

export async function isPortFree(port: number): Promise<boolean> {
  return (await tryListen(port)) !== undefined;
}

/**
 * The port an embedded server keeps in `file` beside its data, so that a restart comes back on the same address;
 * a new free one (written back) when there is none yet or something else has taken it meanwhile.
 */
export async function keptPort(file: string): Promise<number> {
  let kept: number | undefined;
  try {
    kept = Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    kept = undefined;
  }
  if (kept && (await isPortFree(kept))) return kept;
  const port = await freePort();
  writeFileSync(file, `${port}\n`);
  return port;
}
