import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhooksMetrics } from './webhooks.metrics';
import { matchesEventType } from './webhooks.events';

interface PendingEvent {
  id: string;
  type: string;
  modelName: string | null;
  owner: string | null;
  createdAt: Date;
}

export interface SubscribedEndpoint {
  id: string;
  owner: string;
  allOwners: boolean;
  eventTypes: string[];
  modelNames: string[] | null;
  breakerState: string;
  breakerRetryAt: Date | null;
}

const BATCH = 200;

/**
 * Does an enabled endpoint receive this event? Endpoints made by an admin key receive every owner's events;
 * others only events whose owner is their own. A `modelNames` filter applies to events about a model.
 */
export function endpointReceives(
  e: SubscribedEndpoint,
  ev: Pick<PendingEvent, 'type' | 'modelName' | 'owner'>,
): boolean {
  if (!e.allOwners && ev.owner !== e.owner) return false;
  if (!matchesEventType(e.eventTypes, ev.type)) return false;
  if (ev.modelName && e.modelNames && e.modelNames.length > 0 && !e.modelNames.includes(ev.modelName)) return false;
  return true;
}

/**
 * Fans published events out to deliveries: claims undispatched events (FOR UPDATE SKIP LOCKED, so replicas share
 * the work), creates one delivery per matching enabled endpoint and marks the events dispatched, all in one
 * transaction. A crash before the commit leaves the events undispatched; a unique index stops duplicates.
 */
@Injectable()
export class WebhookDispatcherProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly txHost: TxHost,
    private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveryProcessor,
    private readonly metrics: WebhooksMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WEBHOOK_WORKERS_ENABLED) return;
    this.running = true;
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.current = this.loop().finally(() => (this.current = undefined));
    }, ms);
  }

  private async loop(): Promise<void> {
    let created = 0;
    try {
      let n: { events: number; deliveries: number };
      do {
        n = await this.dispatchBatch();
        created += n.deliveries;
        if (created > 0) this.deliveries.kick();
      } while (this.running && n.events === BATCH);
    } catch (err) {
      if (this.running) this.logger.error({ message: 'webhook dispatch failed', error: (err as Error).message });
    }
    this.schedule(this.config.WEBHOOK_POLL_INTERVAL_MS);
  }

  /** One transaction: claim up to BATCH events, create their deliveries, mark them dispatched. */
  async dispatchBatch(): Promise<{ events: number; deliveries: number }> {
    return this.txHost.withTransaction(async () => {
      const m = this.txHost.tx;
      const events = await m.query<PendingEvent[]>(
        `SELECT id, type, "modelName", owner, "createdAt" FROM events WHERE "dispatchedAt" IS NULL
         ORDER BY "createdAt" LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (events.length === 0) return { events: 0, deliveries: 0 };
      const endpoints = await m.query<SubscribedEndpoint[]>(
        `SELECT id, owner, "allOwners", "eventTypes", "modelNames", "breakerState", "breakerRetryAt"
         FROM webhook_endpoints WHERE enabled`,
      );
      const deliveries = await this.createDeliveries(m, events, endpoints);
      await m.query(`UPDATE events SET "dispatchedAt" = now() WHERE id = ANY($1)`, [events.map((e) => e.id)]);
      const now = Date.now();
      for (const e of events) this.metrics.dispatchLag.observe(Math.max(0, now - e.createdAt.getTime()) / 1000);
      return { events: events.length, deliveries };
    });
  }

  private async createDeliveries(
    m: EntityManager,
    events: PendingEvent[],
    endpoints: SubscribedEndpoint[],
  ): Promise<number> {
    const messageIds: string[] = [];
    const endpointIds: string[] = [];
    const due: Date[] = [];
    const first = Date.now() + this.deliveries.firstDelayMs;
    for (const ev of events) {
      for (const e of endpoints) {
        if (!endpointReceives(e, ev)) continue;
        messageIds.push(ev.id);
        endpointIds.push(e.id);
        const held = e.breakerState !== 'closed' && e.breakerRetryAt ? e.breakerRetryAt.getTime() : 0;
        due.push(new Date(Math.max(first, held)));
      }
    }
    if (messageIds.length === 0) return 0;
    await m.query(
      `INSERT INTO webhook_deliveries ("messageId", "endpointId", "nextAttemptAt")
       SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::timestamptz[])
       ON CONFLICT ("messageId", "endpointId") DO NOTHING`,
      [messageIds, endpointIds, due],
    );
    return messageIds.length;
  }
}
