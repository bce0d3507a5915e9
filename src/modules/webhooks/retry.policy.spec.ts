import { breakerDelayMs, nextAttemptAt, parseRetryAfter, parseSchedule, withJitter } from './retry.policy';

describe('retry policy', () => {
  const schedule = parseSchedule('0,5,300,1800,7200,18000,36000,36000');

  it('should read the default schedule as eight attempts when parsed', () => {
    expect(schedule).toEqual([0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(parseSchedule(' 0 , 0.05 ')).toEqual([0, 50]);
  });

  it('should keep delays within the jitter band when jitter is applied', () => {
    expect(withJitter(1000, 0.2, () => 0)).toBe(800);
    expect(withJitter(1000, 0.2, () => 1)).toBe(1200);
    expect(withJitter(1000, 0.2, () => 0.5)).toBe(1000);
    expect(withJitter(0, 0.2, () => 1)).toBe(0);
    expect(withJitter(1000, 0, () => 1)).toBe(1000);
  });

  it('should schedule the next attempt by the attempts spent and stop when the schedule is spent', () => {
    const now = 1_000_000;
    expect(nextAttemptAt(schedule, 1, now, 0, null)?.getTime()).toBe(now + 5000);
    expect(nextAttemptAt(schedule, 2, now, 0, null)?.getTime()).toBe(now + 300000);
    expect(nextAttemptAt(schedule, 7, now, 0, null)?.getTime()).toBe(now + 36000000);
    expect(nextAttemptAt(schedule, 8, now, 0, null)).toBeNull();
  });

  it('should wait for Retry-After when it is later than the schedule, and not otherwise', () => {
    const now = 1_000_000;
    expect(nextAttemptAt(schedule, 1, now, 0, 60_000)?.getTime()).toBe(now + 60_000);
    expect(nextAttemptAt(schedule, 2, now, 0, 60_000)?.getTime()).toBe(now + 300_000);
  });

  it('should parse Retry-After as seconds or an HTTP date and cap it at a day', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999999', now)).toBe(24 * 3600 * 1000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('should double the half-open delay from 30 s up to 30 min when the breaker keeps tripping', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => breakerDelayMs(n, 30_000, 1_800_000));
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000]);
  });
});
