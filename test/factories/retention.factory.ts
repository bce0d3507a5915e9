import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { newMessageId } from 'src/platform/events';
import { TestApp } from '../support/test-app';

const DAY_MS = 24 * 3600_000;
const daysAgo = (days: number): Date => new Date(Date.now() - days * DAY_MS);

/** An event published and fanned out `ageDays` ago (dispatched unless told otherwise). */
export async function insertEvent(t: TestApp, ageDays: number, dispatched = true): Promise<string> {
  const id = newMessageId();
  const at = daysAgo(ageDays);
  await t.app
    .get(DataSource)
    .query(
      `INSERT INTO events (id, type, data, "createdAt", "dispatchedAt") VALUES ($1, 'model.registered', '{}', $2, $3)`,
      [id, at, dispatched ? at : null],
    );
  return id;
}

/** A delivery of a fresh event to `endpointId`, last changed `ageDays` ago, with `attempts` attempt rows. */
export async function insertDelivery(
  t: TestApp,
  endpointId: string,
  status: 'pending' | 'in_flight' | 'delivered' | 'failed',
  ageDays: number,
  attempts = 2,
): Promise<{ deliveryId: string; messageId: string }> {
  const ds = t.app.get(DataSource);
  const messageId = await insertEvent(t, ageDays);
  const deliveryId = randomUUID();
  const at = daysAgo(ageDays);
  await ds.query(
    `INSERT INTO webhook_deliveries (id, "messageId", "endpointId", status, attempts, "nextAttemptAt", "lastAttemptAt",
       "deliveredAt", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $6, $6)`,
    [deliveryId, messageId, endpointId, status, attempts, at, status === 'delivered' ? at : null],
  );
  for (let i = 1; i <= attempts; i++) {
    await ds.query(
      `INSERT INTO webhook_attempts ("deliveryId", attempt, "startedAt", "durationMs", outcome, "statusCode")
       VALUES ($1, $2, $3, 12, 'http_error', 500)`,
      [deliveryId, i, at],
    );
  }
  return { deliveryId, messageId };
}

/** A stored Idempotency-Key answer created `ageDays` ago that expires `expiresInDays` from now (negative: expired). */
export async function insertIdempotencyKey(t: TestApp, ageDays: number, expiresInDays: number): Promise<string> {
  const key = randomUUID();
  await t.app.get(DataSource).query(
    `INSERT INTO idempotency_keys (owner, key, route, "requestHash", state, "responseStatus", "responseBody",
       "createdAt", "expiresAt")
     VALUES ('retention-test', $1, 'POST /x', repeat('0', 64), 'completed', 201, '{}', $2, $3)`,
    [key, daysAgo(ageDays), daysAgo(-expiresInDays)],
  );
  return key;
}

/** A logged prediction of an A/B experiment, in a log batch of its own written `ageDays` ago; returns its request id. */
export async function insertLoggedPrediction(t: TestApp, ageDays: number): Promise<string> {
  const requestId = `req-${randomUUID()}`;
  await t.app.get(DataSource).query(
    `INSERT INTO experiment_prediction_batches ("experimentId", "createdAt", size, variants, versions, random,
       "requestIds", assignments, "servedVersions", units, "callerOwners", "loggedAtMs", "latencyUs", errors)
     VALUES ($2, $3, 1, '{control}', '{1}', '{false}', ARRAY[$1], '{1}', '{1}', '{NULL}', '{retention-test}',
             ARRAY[$4::float8], '{1500}', '{NULL}')`,
    [requestId, randomUUID(), daysAgo(ageDays), daysAgo(ageDays).getTime()],
  );
  return requestId;
}
