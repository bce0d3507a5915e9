/** Polls `check` until it returns a truthy value (returned) or the timeout passes (throws with `what`). */
type Maybe<T> = T | undefined | null | false;

export async function waitFor<T>(
  check: () => Promise<Maybe<T>> | Maybe<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
