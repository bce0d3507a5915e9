import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PredictionLog } from 'src/modules/experiments';
import { WebhookRetention } from 'src/modules/webhooks';
import { AppConfig } from 'src/platform/config';
import { TxHost } from 'src/platform/database';
import { IdempotencyService } from 'src/platform/idempotency';
import { QueueService } from 'src/platform/queue';
import { RetentionMetrics } from './retention.metrics';
import { daysBefore, nextRunAt, RETENTION_QUEUE, RetentionKind, RetentionReport } from './retention.kinds';

/**
 * The daily retention run: a durable job (RetentionProcessor, retried when it fails) that deletes, in batches of
 * RETENTION_BATCH_SIZE, finished webhook deliveries with their attempts, then published events with no delivery
 * left, then expired idempotency answers, then A/B experiments' logged predictions, each past its own
 * *_RETENTION_DAYS.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly txHost: TxHost,
    private readonly config: AppConfig,
    private readonly queue: QueueService,
    private readonly webhooks: WebhookRetention,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: RetentionMetrics,
    private readonly predictions: PredictionLog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.RETENTION_ENABLED) return;
    await this.scheduleNext();
  }

  /**
   * Makes sure the next day's run exists: the first replica to insert its row enqueues its job in the same
   * transaction; every other call (other replicas, later boots) finds the row and does nothing. Returns the day
   * it scheduled, or null when it was already scheduled.
   */
  async scheduleNext(now: Date = new Date()): Promise<string | null> {
    const at = nextRunAt(now, this.config.RETENTION_HOUR_UTC);
    const day = at.toISOString().slice(0, 10);
    return this.txHost.withTransaction(async () => {
      const manager = this.txHost.tx;
      const inserted: unknown[] = await manager.query(
        `INSERT INTO retention_runs (day, "scheduledFor") VALUES ($1, $2) ON CONFLICT (day) DO NOTHING RETURNING day`,
        [day, at],
      );
      if (inserted.length === 0) return null;
      await this.queue.enqueue(RETENTION_QUEUE, { day }, { key: day, startAfter: at });
      return day;
    });
  }

  /** The job (RetentionProcessor): chain the next day's run first (so a failing sweep never ends the chain), then sweep. */
  async runScheduled(day: string): Promise<void> {
    await this.scheduleNext();
    await this.txHost.tx.query(`UPDATE retention_runs SET "startedAt" = now() WHERE day = $1`, [day]);
    const report = await this.run();
    await this.txHost.tx.query(`UPDATE retention_runs SET "finishedAt" = now(), deleted = $2 WHERE day = $1`, [
      day,
      JSON.stringify(report.deleted),
    ]);
    this.logger.log({ message: 'retention run finished', day, ...report });
  }

  /** One sweep of every kind, as of `now`, until nothing is left to delete (also what tests call). */
  async run(now: Date = new Date()): Promise<RetentionReport> {
    const size = this.config.RETENTION_BATCH_SIZE;
    const report: RetentionReport = {
      deleted: {
        webhook_deliveries: 0,
        webhook_attempts: 0,
        events: 0,
        idempotency_keys: 0,
        experiment_predictions: 0,
      },
      batches: { deliveries: 0, events: 0, idempotencyKeys: 0, predictions: 0 },
    };
    const count = (kind: RetentionKind, n: number): void => {
      report.deleted[kind] += n;
      if (n > 0) this.metrics.deleted.inc({ kind }, n);
    };

    const deliveriesBefore = daysBefore(now, this.config.WEBHOOK_DELIVERY_RETENTION_DAYS);
    for (let n = size; n === size; report.batches.deliveries++) {
      const { deliveries, attempts } = await this.webhooks.deleteFinishedDeliveries(deliveriesBefore, size);
      count('webhook_deliveries', deliveries);
      count('webhook_attempts', attempts);
      n = deliveries;
    }
    const eventsBefore = daysBefore(now, this.config.EVENT_RETENTION_DAYS);
    for (let n = size; n === size; report.batches.events++) {
      n = await this.webhooks.deletePublishedEvents(eventsBefore, size);
      count('events', n);
    }
    const keysBefore = daysBefore(now, this.config.IDEMPOTENCY_RETENTION_DAYS);
    for (let n = size; n === size; report.batches.idempotencyKeys++) {
      n = await this.idempotency.deleteExpired(keysBefore, size);
      count('idempotency_keys', n);
    }
    const predictionsBefore = daysBefore(now, this.config.PREDICTION_LOG_RETENTION_DAYS);
    for (let more = true; more; report.batches.predictions++) {
      const gone = await this.predictions.deleteOlderThan(predictionsBefore, size);
      count('experiment_predictions', gone.predictions);
      more = gone.more;
    }
    return report;
  }
}
