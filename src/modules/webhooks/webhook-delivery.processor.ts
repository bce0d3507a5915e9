import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { EntityManager } from 'typeorm';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { BreakerState } from './webhook-endpoint.entity';
import { WebhookBreakerService } from './webhook-breaker.service';
import { WebhookHttpClient, WebhookResponse } from './webhook-http.client';
import { buildPayload } from './webhook-payload.builder';
import { WebhookSecretsService, sign } from './webhook-secrets.service';
import { WebhooksMetrics } from './webhooks.metrics';
import { nextAttemptAt, parseRetryAfter, parseSchedule } from './retry.policy';
import { execute } from './webhook-sql.util';

/** A delivery as a worker holds it: leased, with what it needs to send. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  messageId: string;
  /** Including this attempt. */
  attempts: number;
  leaseToken: string;
  dueAt: Date;
  claimedAt: Date;
  url: string;
  enabled: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  breakerState: BreakerState;
  breakerRetryAt: Date | null;
  type: string;
  data: object;
  eventCreatedAt: Date;
}

const CLAIM_BATCH = 50;

/**
 * Delivery workers. Due deliveries are claimed in a short transaction (FOR UPDATE SKIP LOCKED) that gives each a
 * lease; the HTTP call runs with no database lock or connection held; the result is written in a second short
 * transaction that only succeeds while the lease is still this worker's. A worker that dies leaves its lease to
 * expire, and the delivery is claimed again. Up to WEBHOOK_CONCURRENCY deliveries are in flight per process.
 */
@Injectable()
export class WebhookDeliveryProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly schedule: number[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private running = false;
  private pumping = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private pumped: Promise<void> | undefined;

  constructor(
    private readonly txHost: TxHost,
    private readonly config: AppConfig,
    private readonly http: WebhookHttpClient,
    private readonly secrets: WebhookSecretsService,
    private readonly breaker: WebhookBreakerService,
    private readonly metrics: WebhooksMetrics,
  ) {
    this.schedule = parseSchedule(config.WEBHOOK_RETRY_SCHEDULE);
    // Every request in flight listens on the shutdown signal.
    setMaxListeners(config.WEBHOOK_CONCURRENCY + 10, this.abort.signal);
  }

  get maxAttempts(): number {
    return this.schedule.length;
  }

  /** Delay before the first attempt of a new (or replayed) delivery. */
  get firstDelayMs(): number {
    return this.schedule[0];
  }

  onApplicationBootstrap(): void {
    if (!this.config.WEBHOOK_WORKERS_ENABLED) return;
    this.running = true;
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    // In-flight requests are abandoned; their leases expire and another worker (or the next start) retries them.
    this.abort.abort();
    await this.pumped;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Look for due deliveries now (new deliveries were just created in this process). */
  kick(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pumped = this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (this.running && this.inFlight.size < this.config.WEBHOOK_CONCURRENCY) {
          const want = Math.min(CLAIM_BATCH, this.config.WEBHOOK_CONCURRENCY - this.inFlight.size);
          const claimed = await this.claim(want);
          for (const d of claimed) this.track(this.attempt(d));
          if (claimed.length < want) break;
        }
      } while (this.again && this.running);
    } catch (err) {
      if (this.running) this.logger.error({ message: 'webhook claim failed', error: (err as Error).message });
    } finally {
      this.pumping = false;
      if (this.running) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.kick(), this.config.WEBHOOK_POLL_INTERVAL_MS);
      }
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      // Refill once half the slots are free: one claim then takes a batch instead of one row per completion.
      if (this.inFlight.size <= this.config.WEBHOOK_CONCURRENCY / 2) this.kick();
    });
  }

  /**
   * Leases up to `limit` due deliveries (pending and due, or in flight with an expired lease) and spends an attempt
   * on each; deliveries of an endpoint whose breaker is open are put back without spending one. Public so that
   * tests can play a worker that dies after claiming.
   */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    return this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const { rows } = await execute<ClaimedDelivery>(
        m,
        `WITH next AS (
           SELECT id FROM webhook_deliveries
           WHERE (status = 'pending' AND "nextAttemptAt" <= now())
              OR (status = 'in_flight' AND "leaseExpiresAt" <= now())
           ORDER BY "nextAttemptAt", id
           LIMIT $1
           FOR UPDATE SKIP LOCKED
         )
         UPDATE webhook_deliveries d
         SET status = 'in_flight', attempts = d.attempts + 1, "leaseToken" = gen_random_uuid(),
             "leaseExpiresAt" = now() + make_interval(secs => $2), "updatedAt" = now()
         FROM next, webhook_endpoints e, events ev
         WHERE d.id = next.id AND e.id = d."endpointId" AND ev.id = d."messageId"
         RETURNING d.id, d."endpointId", d."messageId", d.attempts, d."leaseToken", d."nextAttemptAt" AS "dueAt",
           now() AS "claimedAt", e.url, e.enabled, e.secret, e."previousSecret", e."previousSecretExpiresAt",
           e."breakerState", e."breakerRetryAt", ev.type, ev.data, ev."createdAt" AS "eventCreatedAt"`,
        [limit, this.config.WEBHOOK_LEASE_SECONDS],
      );
      const ready: ClaimedDelivery[] = [];
      for (const d of rows) {
        this.metrics.queueLag.observe(Math.max(0, d.claimedAt.getTime() - d.dueAt.getTime()) / 1000);
        if (!d.enabled) {
          await this.putBack(m, d, { fail: true });
        } else if (d.breakerState === 'closed' || (await this.mayProbe(m, d))) {
          ready.push(d);
        }
      }
      return ready;
    });
  }

  /** With the breaker open, one delivery becomes the half-open probe once the wait is over; others are put back. */
  private async mayProbe(m: EntityManager, d: ClaimedDelivery): Promise<boolean> {
    const { count } = await execute(
      m,
      `UPDATE webhook_endpoints SET "breakerState" = 'half_open', "breakerRetryAt" = now() + make_interval(secs => $2)
       WHERE id = $1 AND "breakerState" <> 'closed' AND "breakerRetryAt" <= now()`,
      [d.endpointId, this.config.WEBHOOK_LEASE_SECONDS],
    );
    if (count === 1) return true;
    const [e] = await m.query<{ breakerState: BreakerState; breakerRetryAt: Date | null }[]>(
      `SELECT "breakerState", "breakerRetryAt" FROM webhook_endpoints WHERE id = $1`,
      [d.endpointId],
    );
    if (!e || e.breakerState === 'closed') return true;
    await this.putBack(m, d, { until: e.breakerRetryAt ?? new Date(Date.now() + this.config.WEBHOOK_BREAKER_OPEN_MS) });
    this.metrics.deliveries.inc({ outcome: 'deferred' });
    return false;
  }

  private async putBack(m: EntityManager, d: ClaimedDelivery, how: { until?: Date; fail?: boolean }): Promise<void> {
    await execute(
      m,
      `UPDATE webhook_deliveries
       SET status = $2::varchar, attempts = attempts - 1, "leaseToken" = NULL, "leaseExpiresAt" = NULL,
           "nextAttemptAt" = GREATEST("nextAttemptAt", COALESCE($3, "nextAttemptAt")),
           "lastError" = CASE WHEN $2::varchar = 'failed' THEN 'endpoint disabled' ELSE "lastError" END, "updatedAt" = now()
       WHERE id = $1`,
      [d.id, how.fail ? 'failed' : 'pending', how.until ?? null],
    );
  }

  /** Signs and sends one claimed delivery, then records the result. */
  async attempt(d: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const body = buildPayload({ id: d.messageId, type: d.type, data: d.data, createdAt: d.eventCreatedAt });
    let response: WebhookResponse;
    try {
      const secrets = [this.secrets.decrypt(d.secret)];
      if (d.previousSecret && d.previousSecretExpiresAt && d.previousSecretExpiresAt.getTime() > startedAt.getTime()) {
        secrets.push(this.secrets.decrypt(d.previousSecret));
      }
      const signature = secrets.map((s) => sign(s, d.messageId, timestamp, body)).join(' ');
      response = await this.http.send(
        {
          url: d.url,
          body,
          headers: {
            'webhook-id': d.messageId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signature,
          },
        },
        this.abort.signal,
      );
    } catch (err) {
      response = {
        outcome: 'network_error',
        statusCode: null,
        error: (err as Error).message.slice(0, 500),
        body: null,
        retryAfter: undefined,
        durationMs: Date.now() - startedAt.getTime(),
      };
    }
    if (!this.running && this.abort.signal.aborted) return;
    this.metrics.attemptDuration.observe({ outcome: response.outcome }, response.durationMs / 1000);
    try {
      await this.complete(d, response, startedAt);
    } catch (err) {
      this.logger.error({
        message: 'could not record a webhook attempt',
        deliveryId: d.id,
        error: (err as Error).message,
      });
    }
  }

  /** Records an attempt's result, if the lease is still ours. Returns false when another worker took it over. */
  async complete(d: ClaimedDelivery, r: WebhookResponse, startedAt: Date): Promise<boolean> {
    const recorded =
      r.outcome === 'success'
        ? await this.completeSuccess(d, r, startedAt)
        : await this.completeFailure(d, r, startedAt);
    if (!recorded) {
      this.logger.warn({
        message: 'webhook attempt result discarded: the lease expired and another worker owns the delivery',
        deliveryId: d.id,
      });
    }
    return recorded;
  }

  /**
   * The common case in one statement (so one round trip, atomic without an explicit transaction): mark the
   * delivery delivered if the lease is ours, log the attempt, and close the endpoint's breaker when it needs it.
   */
  private async completeSuccess(d: ClaimedDelivery, r: WebhookResponse, startedAt: Date): Promise<boolean> {
    const [row] = await this.txHost.tx.query<{ n: number }[]>(
      `WITH done AS (
         UPDATE webhook_deliveries
         SET status = 'delivered', "leaseToken" = NULL, "leaseExpiresAt" = NULL, "lastAttemptAt" = $3,
             "lastStatusCode" = $4, "lastError" = NULL, "deliveredAt" = now(), "updatedAt" = now()
         WHERE id = $1 AND "leaseToken" = $2 AND status = 'in_flight'
         RETURNING id, "endpointId"
       ), logged AS (
         INSERT INTO webhook_attempts ("deliveryId", attempt, "startedAt", "durationMs", outcome, "statusCode", "responseBody")
         SELECT id, $5, $3, $6, 'success', $4, $7 FROM done
       ), healthy AS (
         UPDATE webhook_endpoints
         SET "consecutiveFailures" = 0, "breakerState" = 'closed', "breakerTrips" = 0, "breakerRetryAt" = NULL,
             "failingSince" = NULL, "lastSuccessAt" = now()
         WHERE id = (SELECT "endpointId" FROM done)
           AND ("consecutiveFailures" <> 0 OR "breakerState" <> 'closed' OR "failingSince" IS NOT NULL
                OR "lastSuccessAt" IS NULL OR "lastSuccessAt" < now() - interval '5 seconds')
       )
       SELECT count(*)::int AS n FROM done`,
      [d.id, d.leaseToken, startedAt, r.statusCode, d.attempts, r.durationMs, r.body],
    );
    if (row.n === 0) return false;
    this.metrics.deliveries.inc({ outcome: 'success' });
    return true;
  }

  private async completeFailure(d: ClaimedDelivery, r: WebhookResponse, startedAt: Date): Promise<boolean> {
    return this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const now = Date.now();
      let status: 'pending' | 'failed';
      let next: Date | null = null;
      let outcome: string;
      if (r.statusCode === 410) {
        status = 'failed';
        outcome = 'disabled';
      } else {
        const retryAfterMs = r.statusCode === 429 || r.statusCode === 503 ? parseRetryAfter(r.retryAfter, now) : null;
        next = nextAttemptAt(this.schedule, d.attempts, now, this.config.WEBHOOK_JITTER, retryAfterMs);
        status = next ? 'pending' : 'failed';
        outcome = r.outcome === 'refused' ? 'refused' : next ? 'retry' : 'failed';
      }
      const { count } = await execute(
        m,
        `UPDATE webhook_deliveries
         SET status = $3::varchar, "nextAttemptAt" = COALESCE($4, "nextAttemptAt"), "leaseToken" = NULL, "leaseExpiresAt" = NULL,
             "lastAttemptAt" = $5, "lastStatusCode" = $6, "lastError" = $7, "updatedAt" = now()
         WHERE id = $1 AND "leaseToken" = $2 AND status = 'in_flight'`,
        [d.id, d.leaseToken, status, next, startedAt, r.statusCode, r.error],
      );
      if (count === 0) return false;
      await m.query(
        `INSERT INTO webhook_attempts ("deliveryId", attempt, "startedAt", "durationMs", outcome, "statusCode", error, "responseBody")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.id, d.attempts, startedAt, r.durationMs, r.outcome, r.statusCode, r.error, r.body],
      );
      if (r.statusCode === 410) {
        await this.breaker.disable(d.endpointId, 'gone');
      } else {
        await this.breaker.recordFailure(d.endpointId);
      }
      this.metrics.deliveries.inc({ outcome });
      if (r.outcome === 'refused') {
        this.logger.warn({ message: 'webhook delivery refused', deliveryId: d.id, url: d.url, reason: r.error });
      }
      return true;
    });
  }
}
