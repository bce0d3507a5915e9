/**
 * What the retention job deletes, and nothing else. Audit records, contributions and their rows, models, rewards
 * and anything else a reward depends on are not in this list, so the job cannot touch them.
 */
export const RETENTION_KINDS = [
  'webhook_deliveries',
  'webhook_attempts',
  'events',
  'idempotency_keys',
  'experiment_predictions',
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export interface RetentionReport {
  /** Rows deleted by kind. */
  deleted: Record<RetentionKind, number>;
  /** Batches (statements) run by sweep: deliveries with their attempts, events, idempotency keys. */
  batches: { deliveries: number; events: number; idempotencyKeys: number; predictions: number };
}

export const RETENTION_QUEUE = 'retention.daily';

const DAY_MS = 24 * 3600_000;

/** The next run strictly after `now`: today at `hourUtc`:00 UTC, or tomorrow when that has passed. */
export function nextRunAt(now: Date, hourUtc: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc);
  return new Date(today > now.getTime() ? today : today + DAY_MS);
}

export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
