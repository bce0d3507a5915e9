import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { EventsService } from 'src/platform/events';
import { DisabledReason, WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WEBHOOK_ENDPOINT_DISABLED } from './webhooks.events';
import { breakerDelayMs } from './retry.policy';
import { execute } from './webhook-sql.util';

/**
 * The health of an endpoint, persisted in PostgreSQL so every replica sees it: the circuit breaker (open after
 * WEBHOOK_BREAKER_THRESHOLD consecutive failures, half-open probes after a delay that doubles up to
 * WEBHOOK_BREAKER_MAX_OPEN_MS) and the days-long disable rule. Its writes join the caller's transaction.
 */
@Injectable()
export class WebhookBreakerService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly txHost: TxHost,
  ) {}

  /** Counts a failure; opens (or reopens) the breaker and disables a long-failing endpoint. */
  async recordFailure(endpointId: string): Promise<void> {
    const m = this.txHost.tx;
    const [e] = await m.query<
      Pick<
        WebhookEndpointEntity,
        'id' | 'enabled' | 'breakerState' | 'consecutiveFailures' | 'breakerTrips' | 'failingSince'
      >[]
    >(
      `SELECT id, enabled, "breakerState", "consecutiveFailures", "breakerTrips", "failingSince"
       FROM webhook_endpoints WHERE id = $1 FOR UPDATE`,
      [endpointId],
    );
    if (!e?.enabled) return;
    const now = Date.now();
    const failures = e.consecutiveFailures + 1;
    const failingSince = e.failingSince ?? new Date(now);
    let state = e.breakerState;
    let trips = e.breakerTrips;
    let retryAt: Date | null = null;
    const opens = state === 'half_open' || (state === 'closed' && failures >= this.config.WEBHOOK_BREAKER_THRESHOLD);
    if (opens) {
      state = 'open';
      trips += 1;
      retryAt = new Date(
        now + breakerDelayMs(trips, this.config.WEBHOOK_BREAKER_OPEN_MS, this.config.WEBHOOK_BREAKER_MAX_OPEN_MS),
      );
    }
    await execute(
      m,
      `UPDATE webhook_endpoints SET "consecutiveFailures" = $2, "failingSince" = $3, "breakerState" = $4,
         "breakerTrips" = $5, "breakerRetryAt" = COALESCE($6, "breakerRetryAt")
       WHERE id = $1`,
      [endpointId, failures, failingSince, state, trips, retryAt],
    );
    if (opens && retryAt) {
      // Waiting deliveries would only be claimed to be put back: move them past the probe time now.
      await execute(
        m,
        `UPDATE webhook_deliveries SET "nextAttemptAt" = GREATEST("nextAttemptAt", $2)
         WHERE "endpointId" = $1 AND status = 'pending'`,
        [endpointId, retryAt],
      );
      this.logger.warn({ message: 'webhook endpoint circuit breaker opened', endpointId, failures, retryAt });
    }
    const limitMs = this.config.WEBHOOK_DISABLE_AFTER_DAYS * 24 * 3600 * 1000;
    if (now - failingSince.getTime() >= limitMs) await this.disable(e.id, 'failing');
  }

  /**
   * Disables an endpoint: its waiting deliveries become `failed` (recover them once it works again), and for
   * automatic disabling a `webhook.endpoint.disabled` event is published in the same transaction.
   */
  async disable(endpointId: string, reason: DisabledReason): Promise<void> {
    const m = this.txHost.tx;
    const { rows } = await execute<{ owner: string; url: string }>(
      m,
      `UPDATE webhook_endpoints SET enabled = false, "disabledAt" = now(), "disabledReason" = $2, "updatedAt" = now()
       WHERE id = $1 AND enabled RETURNING owner, url`,
      [endpointId, reason],
    );
    const e = rows[0];
    if (!e) return;
    await execute(
      m,
      `UPDATE webhook_deliveries SET status = 'failed', "lastError" = 'endpoint disabled', "updatedAt" = now()
       WHERE "endpointId" = $1 AND status = 'pending'`,
      [endpointId],
    );
    if (reason === 'manual') return;
    const disabledAt = new Date().toISOString();
    await this.events.publish(
      WEBHOOK_ENDPOINT_DISABLED,
      { endpointId, url: e.url, reason, disabledAt },
      { owner: e.owner },
    );
    this.logger.warn({ message: 'webhook endpoint disabled', endpointId, url: e.url, reason });
  }
}
