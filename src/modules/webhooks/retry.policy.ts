/** Pure rules of the delivery schedule, the Retry-After header and the circuit breaker. */

/** `WEBHOOK_RETRY_SCHEDULE` as milliseconds: entry i is the delay before attempt i + 1. */
export function parseSchedule(text: string): number[] {
  return text.split(',').map((s) => Math.round(Number(s.trim()) * 1000));
}

/** `delayMs` times a random factor in [1 - jitter, 1 + jitter]. */
export function withJitter(delayMs: number, jitter: number, random: () => number = Math.random): number {
  if (delayMs <= 0 || jitter <= 0) return Math.max(0, delayMs);
  return Math.max(0, Math.round(delayMs * (1 + jitter * (2 * random() - 1))));
}

/** Retry-After is honoured for at most a day, so a receiver cannot park a delivery forever. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** Milliseconds from `now` that a Retry-After value (delta-seconds or an HTTP date) asks for, or null. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/**
 * When the next attempt may go after failed attempt number `attempts` (1-based), or null when the schedule is
 * spent. Retry-After moves it later, never earlier.
 */
export function nextAttemptAt(
  schedule: readonly number[],
  attempts: number,
  now: number,
  jitter: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): Date | null {
  if (attempts >= schedule.length) return null;
  const delay = withJitter(schedule[attempts], jitter, random);
  return new Date(now + Math.max(delay, retryAfterMs ?? 0));
}

/** Delay before the next half-open probe after the breaker opened `trips` times in a row (1 = first time). */
export function breakerDelayMs(trips: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(Math.max(trips - 1, 0), 30);
  return Math.min(baseMs * 2 ** exp, maxMs);
}
