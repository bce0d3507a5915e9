import { DataSource } from 'typeorm';
import { TestApp } from './test-app';
import { waitFor } from './wait';

/** Environment for apps that deliver to a local receiver quickly: http and private addresses allowed, fast polls. */
export const FAST_WEBHOOKS: Record<string, string> = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_POLL_INTERVAL_MS: '25',
  WEBHOOK_JITTER: '0',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_LEASE_SECONDS: '5',
  WEBHOOK_RETRY_SCHEDULE: '0,0.05,0.05',
  WEBHOOK_BREAKER_THRESHOLD: '1000',
};

export interface DeliveryRow {
  id: string;
  endpointId: string;
  messageId: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  replays: number;
}

export async function deliveriesOf(
  t: TestApp,
  where: { messageId?: string; endpointId?: string },
): Promise<DeliveryRow[]> {
  const ds = t.app.get(DataSource);
  const clauses: string[] = [];
  const params: string[] = [];
  for (const [k, v] of Object.entries(where)) {
    params.push(v);
    clauses.push(`"${k}" = $${params.length}`);
  }
  return ds.query(
    `SELECT id, "endpointId", "messageId", status, attempts, "nextAttemptAt", "lastAttemptAt", replays
     FROM webhook_deliveries ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY "createdAt"`,
    params,
  );
}

/** Waits until the one delivery of a message to an endpoint has `status`. */
export function waitForDelivery(
  t: TestApp,
  messageId: string,
  endpointId: string,
  status: string,
  timeoutMs = 15000,
): Promise<DeliveryRow> {
  return waitFor(
    async () => {
      const [d] = await deliveriesOf(t, { messageId, endpointId });
      return d?.status === status ? d : undefined;
    },
    `delivery of ${messageId} to ${endpointId} to be ${status}`,
    timeoutMs,
  );
}
