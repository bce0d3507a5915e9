import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Deletes, one bounded batch per call, what the webhook outbox no longer needs. Rows are picked with
 * FOR UPDATE SKIP LOCKED, so a batch never waits for (nor blocks) a worker holding a delivery or an event.
 */
@Injectable()
export class WebhookRetention {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Up to `limit` delivered or failed deliveries last changed before `cutoff`, with their attempts. Pending and
   * in-flight deliveries (and a failed one being replayed, which is pending again) are never picked.
   */
  async deleteFinishedDeliveries(cutoff: Date, limit: number): Promise<{ deliveries: number; attempts: number }> {
    const [counts]: { deliveries: number; attempts: number }[] = await this.dataSource.query(
      `WITH batch AS (
         SELECT id FROM webhook_deliveries
          WHERE status IN ('delivered', 'failed') AND "updatedAt" < $1
          ORDER BY "updatedAt" LIMIT $2 FOR UPDATE SKIP LOCKED
       ), attempts AS (
         DELETE FROM webhook_attempts WHERE "deliveryId" IN (SELECT id FROM batch) RETURNING 1
       ), deliveries AS (
         DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM batch) RETURNING 1
       )
       SELECT (SELECT count(*) FROM deliveries)::int AS deliveries, (SELECT count(*) FROM attempts)::int AS attempts`,
      [cutoff, limit],
    );
    return counts;
  }

  /**
   * Up to `limit` events published before `cutoff` that were fanned out and have no delivery left: an event
   * outlives its deliveries (replay needs it), and deleting one never cascades to a delivery.
   */
  async deletePublishedEvents(cutoff: Date, limit: number): Promise<number> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM events WHERE id IN (
           SELECT e.id FROM events e
            WHERE e."dispatchedAt" IS NOT NULL AND e."createdAt" < $1
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d."messageId" = e.id)
            ORDER BY e."createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, limit],
    );
    return n;
  }
}
