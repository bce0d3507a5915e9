import { performance } from 'node:perf_hooks';

/** A step that did not do what it should: the demo stops there and exits 1. */
export class DemoFailure extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DemoFailure(message);
}

/** The demo's readable log: numbered steps, their figures indented below, and how long each took. */
export class DemoLog {
  private n = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
  ) {}

  async step<T>(title: string, run: () => Promise<T>): Promise<T> {
    this.n++;
    this.write(`\n[${this.n}/${this.total}] ${title}\n`);
    const started = performance.now();
    const result = await run();
    this.write(`      ok (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    return result;
  }

  info(text: string): void {
    for (const line of text.split('\n')) this.write(`      ${line}\n`);
  }

  /** A step left out on purpose, with the reason, so a reader never mistakes it for one that ran. */
  skip(title: string, why: string): void {
    this.n++;
    this.write(`\n[${this.n}/${this.total}] ${title}\n      SKIPPED: ${why}\n`);
  }
}
