import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from 'src/platform/metrics';
import { PredictionLogEntity } from './prediction-log.entity';
import type { Assignment } from './running-experiments';

/** Entries kept in memory at most; beyond it new ones are dropped and counted (memory stays bounded). */
export const MAX_BUFFERED = 10_000;
/** Written at once when this many wait, and every FLUSH_MS otherwise. */
const BATCH = 500;
const FLUSH_MS = 1000;

export interface RoutedPrediction {
  requestId: string;
  assignment: Assignment;
  unit: string | null;
  callerOwner: string;
  servedVersion: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * The prediction log: routed predictions are buffered in memory and written in multi-row inserts off the
 * request path, every second or every BATCH entries, and once more when the app shuts down.
 */
@Injectable()
export class PredictionLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Experiments');
  private buffer: PredictionLogEntity[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly dropped: Counter<'reason'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsService,
  ) {
    this.dropped = new Counter({
      name: 'experiment_prediction_log_dropped_total',
      help: 'Prediction log entries dropped: buffer full, or the database refused the batch',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  get pending(): number {
    return this.buffer.length;
  }

  record(p: RoutedPrediction): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped.inc({ reason: 'full' });
      return;
    }
    this.buffer.push({
      requestId: p.requestId,
      experimentId: p.assignment.experimentId,
      variant: p.assignment.variant,
      version: p.assignment.version,
      servedVersion: p.servedVersion,
      unit: p.unit === null ? null : p.unit.slice(0, 200),
      random: p.assignment.random,
      callerOwner: p.callerOwner,
      createdAt: new Date(),
      latencyMs: p.latencyMs,
      error: p.error,
      outcome: null,
      outcomeAt: null,
    });
    if (this.buffer.length === BATCH) void this.flush();
  }

  /** Writes what is buffered (one flush at a time; a call waits for the one under way, then writes the rest). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** Deletes up to `limit` entries logged before `cutoff` (the retention job); returns how many. */
  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM experiment_predictions WHERE "requestId" IN (
           SELECT "requestId" FROM experiment_predictions WHERE "createdAt" < $1
            ORDER BY "createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, limit],
    );
    return n;
  }

  private async write(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, BATCH);
      try {
        // One statement with one array parameter per column: a 500-row batch is 13 parameters, not 6,500.
        await this.dataSource.query(
          `INSERT INTO experiment_predictions ("requestId", "experimentId", variant, version, "servedVersion", unit,
             random, "callerOwner", "createdAt", "latencyMs", error)
           SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::int[], $5::int[], $6::varchar[],
             $7::bool[], $8::varchar[], $9::timestamptz[], $10::float8[], $11::varchar[])
           ON CONFLICT ("requestId") DO NOTHING`,
          [
            batch.map((e) => e.requestId),
            batch.map((e) => e.experimentId),
            batch.map((e) => e.variant),
            batch.map((e) => e.version),
            batch.map((e) => e.servedVersion),
            batch.map((e) => e.unit),
            batch.map((e) => e.random),
            batch.map((e) => e.callerOwner),
            batch.map((e) => e.createdAt),
            batch.map((e) => e.latencyMs),
            batch.map((e) => e.error),
          ],
        );
      } catch (err) {
        this.dropped.inc({ reason: 'write_failed' }, batch.length);
        this.logger.warn({ message: 'could not write the prediction log', error: (err as Error).message });
        return;
      }
    }
  }
}
