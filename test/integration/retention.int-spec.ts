import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RETENTION_QUEUE, RetentionService } from 'src/modules/retention';
import { QueueService } from 'src/platform/queue';
import { createWebhookEndpoint } from '../factories/webhook-endpoint.factory';
import {
  insertDelivery,
  insertEvent,
  insertIdempotencyKey,
  insertLoggedPrediction,
} from '../factories/retention.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** Workers off: nothing but the retention run touches the rows these tests insert. */
const ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_WORKERS_ENABLED: 'false',
  JOBS_ENABLED: 'false',
  RETENTION_BATCH_SIZE: '2',
  WEBHOOK_DELIVERY_RETENTION_DAYS: '30',
  EVENT_RETENTION_DAYS: '10',
  IDEMPOTENCY_RETENTION_DAYS: '7',
};

describe('retention', () => {
  let t: TestApp;
  let endpointId: string;
  let ds: DataSource;

  const exists = async (table: string, column: string, id: string): Promise<boolean> =>
    (await ds.query(`SELECT 1 FROM ${table} WHERE "${column}" = $1`, [id])).length > 0;
  const attemptsOf = async (deliveryId: string): Promise<number> =>
    (await ds.query(`SELECT count(*)::int AS n FROM webhook_attempts WHERE "deliveryId" = $1`, [deliveryId]))[0].n;

  beforeAll(async () => {
    t = await createTestApp({ env: ENV });
    ds = t.app.get(DataSource);
    endpointId = (await createWebhookEndpoint(t, { url: 'http://127.0.0.1:9/hook' })).id;
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await ds.query('DELETE FROM webhook_deliveries');
    await ds.query('DELETE FROM events');
    await ds.query('DELETE FROM idempotency_keys');
  });

  it('should delete old finished deliveries with their attempts and keep young and unfinished ones when it runs', async () => {
    const oldDelivered = await insertDelivery(t, endpointId, 'delivered', 31);
    const oldFailed = await insertDelivery(t, endpointId, 'failed', 45);
    const youngDelivered = await insertDelivery(t, endpointId, 'delivered', 29);
    const oldPending = await insertDelivery(t, endpointId, 'pending', 60);
    const oldInFlight = await insertDelivery(t, endpointId, 'in_flight', 60);

    const report = await t.app.get(RetentionService).run();

    expect(report.deleted).toMatchObject({ webhook_deliveries: 2, webhook_attempts: 4 });
    for (const gone of [oldDelivered, oldFailed]) {
      expect(await exists('webhook_deliveries', 'id', gone.deliveryId)).toBe(false);
      expect(await attemptsOf(gone.deliveryId)).toBe(0);
    }
    for (const kept of [youngDelivered, oldPending, oldInFlight]) {
      expect(await exists('webhook_deliveries', 'id', kept.deliveryId)).toBe(true);
      expect(await attemptsOf(kept.deliveryId)).toBe(2);
      // An event outlives its deliveries, however old it is.
      expect(await exists('events', 'id', kept.messageId)).toBe(true);
    }
  });

  it('should delete old published events and keep young, undispatched and still-delivered ones when it runs', async () => {
    const old = await insertEvent(t, 11);
    const young = await insertEvent(t, 9);
    const undispatched = await insertEvent(t, 40, false);
    const withDelivery = await insertDelivery(t, endpointId, 'delivered', 20);

    const report = await t.app.get(RetentionService).run();

    expect(report.deleted.events).toBe(1);
    expect(await exists('events', 'id', old)).toBe(false);
    expect(await exists('events', 'id', young)).toBe(true);
    expect(await exists('events', 'id', undispatched)).toBe(true);
    expect(await exists('events', 'id', withDelivery.messageId)).toBe(true);
    expect(await exists('webhook_deliveries', 'id', withDelivery.deliveryId)).toBe(true);
  });

  it('should delete the events of deliveries it deleted in the same run when both are past their retention', async () => {
    const both = await insertDelivery(t, endpointId, 'failed', 31);

    const report = await t.app.get(RetentionService).run();

    expect(report.deleted).toMatchObject({ webhook_deliveries: 1, events: 1 });
    expect(await exists('events', 'id', both.messageId)).toBe(false);
  });

  it('should delete old expired idempotency answers and keep young or still live ones when it runs', async () => {
    const oldExpired = await insertIdempotencyKey(t, 8, -1);
    const youngExpired = await insertIdempotencyKey(t, 6, -1);
    const oldLive = await insertIdempotencyKey(t, 8, 1);

    const report = await t.app.get(RetentionService).run();

    expect(report.deleted.idempotency_keys).toBe(1);
    expect(await exists('idempotency_keys', 'key', oldExpired)).toBe(false);
    expect(await exists('idempotency_keys', 'key', youngExpired)).toBe(true);
    expect(await exists('idempotency_keys', 'key', oldLive)).toBe(true);
  });

  it('should delete logged experiment predictions older than PREDICTION_LOG_RETENTION_DAYS and keep younger ones', async () => {
    const old = await insertLoggedPrediction(t, 91);
    const young = await insertLoggedPrediction(t, 89);

    const report = await t.app.get(RetentionService).run();

    expect(report.deleted.experiment_predictions).toBe(1);
    expect(await exists('experiment_predictions', 'requestId', old)).toBe(false);
    expect(await exists('experiment_predictions', 'requestId', young)).toBe(true);
  });

  it("should delete outcomes and callers' request ids older than PREDICTION_LOG_RETENTION_DAYS and keep younger ones", async () => {
    await ds.query(
      `INSERT INTO experiment_outcomes ("requestId", "experimentId", variant, value, "createdAt")
       VALUES ('outcome-old', $1, 'control', 1, now() - interval '91 days'),
              ('outcome-young', $1, 'control', 0, now() - interval '89 days')`,
      [randomUUID()],
    );
    await ds.query(
      `INSERT INTO experiment_client_request_ids ("requestId", "createdAt")
       VALUES ('caller-old', now() - interval '91 days'), ('caller-young', now() - interval '89 days')`,
    );

    await t.app.get(RetentionService).run();

    expect(await exists('experiment_outcomes', 'requestId', 'outcome-old')).toBe(false);
    expect(await exists('experiment_outcomes', 'requestId', 'outcome-young')).toBe(true);
    expect(await exists('experiment_client_request_ids', 'requestId', 'caller-old')).toBe(false);
    expect(await exists('experiment_client_request_ids', 'requestId', 'caller-young')).toBe(true);
  });

  it('should delete in batches of RETENTION_BATCH_SIZE rows when more rows are due', async () => {
    for (let i = 0; i < 5; i++) await insertDelivery(t, endpointId, 'delivered', 40, 1);
    for (let i = 0; i < 3; i++) await insertIdempotencyKey(t, 30, -20);

    const report = await t.app.get(RetentionService).run();

    // 5 deliveries at 2 a batch: 2, 2, 1; their 5 events: 2, 2, 1; 3 keys: 2, 1.
    expect(report.deleted).toEqual({
      webhook_deliveries: 5,
      webhook_attempts: 5,
      events: 5,
      idempotency_keys: 3,
      experiment_predictions: 0,
    });
    expect(report.batches).toEqual({ deliveries: 3, events: 3, idempotencyKeys: 2, predictions: 1 });
  });

  it('should count deletions by kind in retention_deleted_total when rows are deleted', async () => {
    const scrape = async (kind: string): Promise<number> => {
      const text = (await t.http.get('/metrics').set(t.admin).expect(200)).text;
      const line = text.split('\n').find((l) => l.startsWith(`retention_deleted_total{kind="${kind}"}`));
      return Number(line?.split(' ')[1]);
    };
    const before = { deliveries: await scrape('webhook_deliveries'), attempts: await scrape('webhook_attempts') };
    await insertDelivery(t, endpointId, 'failed', 31, 3);

    await t.app.get(RetentionService).run();

    expect(await scrape('webhook_deliveries')).toBe(before.deliveries + 1);
    expect(await scrape('webhook_attempts')).toBe(before.attempts + 3);
  });

  it('should never delete contributions, models or API keys when it runs', async () => {
    const count = async (): Promise<number[]> =>
      Promise.all(
        ['api_keys', 'models', 'contributions', 'contribution_rows', 'webhook_endpoints'].map(
          async (table) => (await ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number,
        ),
      );
    const before = await count();
    await t.app.get(RetentionService).run(new Date(Date.now() + 3650 * 24 * 3600_000));
    expect(await count()).toEqual(before);
  });

  it('should schedule one run a day with one durable job whichever replica schedules it when two replicas boot', async () => {
    const replica = await createTestApp({ env: ENV, databaseUrl: t.databaseUrl });
    try {
      const runs: { day: string }[] = await ds.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM retention_runs`);
      expect(runs).toHaveLength(1);
      expect(await replica.app.get(RetentionService).scheduleNext()).toBeNull();
      expect(await t.app.get(RetentionService).scheduleNext()).toBeNull();
      expect(await t.app.get(QueueService).stateCounts(RETENTION_QUEUE)).toEqual({ created: 1 });
      const [job]: { start_after: Date }[] = await ds.query(`SELECT start_after FROM pgboss.job WHERE name = $1`, [
        RETENTION_QUEUE,
      ]);
      expect(job.start_after.toISOString()).toBe(`${runs[0].day}T03:00:00.000Z`);
      // Once that run's time has passed (the job reschedules as it starts), the next day is scheduled, once.
      const after = new Date(job.start_after.getTime() + 1000);
      const next = new Date(job.start_after.getTime() + 24 * 3600_000).toISOString().slice(0, 10);
      expect(await t.app.get(RetentionService).scheduleNext(after)).toBe(next);
      expect(await replica.app.get(RetentionService).scheduleNext(after)).toBeNull();
      expect(await t.app.get(QueueService).stateCounts(RETENTION_QUEUE)).toEqual({ created: 2 });
    } finally {
      await replica.close();
    }
  });

  it('should run the sweep as a durable job and record it when the scheduled job comes due', async () => {
    const old = await insertDelivery(t, endpointId, 'delivered', 31);
    const worker = await createTestApp({ env: { ...ENV, JOBS_ENABLED: 'true' }, databaseUrl: t.databaseUrl });
    try {
      const [{ day }]: { day: string }[] = await ds.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM retention_runs ORDER BY day LIMIT 1`,
      );
      await ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1`, [RETENTION_QUEUE]);
      const [run] = await waitFor(async () => {
        const rows: { deleted: Record<string, number> }[] = await ds.query(
          `SELECT deleted FROM retention_runs WHERE day = $1 AND "finishedAt" IS NOT NULL`,
          [day],
        );
        return rows.length > 0 && rows;
      }, 'the retention job to finish');
      expect(run.deleted).toMatchObject({ webhook_deliveries: 1, webhook_attempts: 2 });
      expect(await exists('webhook_deliveries', 'id', old.deliveryId)).toBe(false);
    } finally {
      await worker.close();
    }
  });
});
