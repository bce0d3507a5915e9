import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { MetricsService } from 'src/platform/metrics';
import { Batch, batchRows, UnitMemory } from './log-batch';
import { textArray } from './pg-arrays';
import type { Assignment } from './running-experiments';

/** Entries kept in memory at most; beyond it new ones are dropped and counted (memory stays bounded). */
export const MAX_BUFFERED = 10_000;
/** Written at once when this many wait, and every FLUSH_MS otherwise. */
const BATCH = 500;
const FLUSH_MS = 1000;

export interface RoutedPrediction {
  requestId: string;
  /** The caller chose the request id (X-Request-Id): a replay of it is logged once. */
  clientRequestId: boolean;
  assignment: Assignment;
  unit: string | null;
  callerOwner: string;
  servedVersion: number | null;
  latencyMs: number;
  error: string | null;
}

/** A logged prediction, as outcome recording needs it. */
export interface LoggedPrediction {
  experimentId: string;
  variant: string;
  callerOwner: string;
}

/**
 * The prediction log: routed predictions are buffered in memory and written off the request path, every second or
 * every BATCH entries, and once more when the app shuts down. A flush is one row per experiment with its entries
 * as arrays (see PredictionBatchEntity), written with the variants' running totals and their new units in one
 * statement.
 */
@Injectable()
export class PredictionLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Experiments');
  /** Full batches first, the one being filled last. */
  private batches: Batch[] = [new Batch()];
  /** The batch being written, until its transaction has committed (or failed). */
  private writing: Batch | null = null;
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly units = new UnitMemory();
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
    return this.buffered;
  }

  record(p: RoutedPrediction): void {
    if (this.buffered >= MAX_BUFFERED) {
      this.dropped.inc({ reason: 'full' });
      return;
    }
    const b = this.batches[this.batches.length - 1];
    b.requestId.push(p.requestId);
    if (p.clientRequestId) b.clientRequestIds.push(p.requestId);
    b.assignment.push(p.assignment);
    b.unit.push(p.unit === null ? null : p.unit.slice(0, 200));
    b.callerOwner.push(p.callerOwner);
    b.servedVersion.push(p.servedVersion);
    b.loggedAtMs.push(Date.now());
    b.latencyUs.push(Math.round(p.latencyMs * 1000));
    b.error.push(p.error);
    this.buffered += 1;
    if (b.length === BATCH) {
      this.batches.push(new Batch());
      void this.flush(false);
    }
  }

  /**
   * Writes what is buffered (one flush at a time; a call waits for the one under way, then writes what is buffered
   * when it starts). A full batch's write (`all` false) leaves the one being filled for the timer: each write costs a
   * transaction and a statement, so small batches cost PostgreSQL up to three times the CPU per entry.
   */
  flush(all = true): Promise<void> {
    this.flushing = this.flushing.then(() => this.write(all));
    return this.flushing;
  }

  /**
   * The logged prediction with this request id: in this process's buffer (not written yet) or in the log; null when
   * neither holds it. The buffer is read first: an entry that has left it was committed (or dropped and counted).
   */
  async find(requestId: string): Promise<LoggedPrediction | null> {
    const buffered = this.inBuffer(requestId);
    if (buffered) return buffered;
    const rows: LoggedPrediction[] = await this.dataSource.query(
      `SELECT b."experimentId", b.variants[b.assignments[p.i]] AS variant, b."callerOwners"[p.i] AS "callerOwner"
         FROM experiment_prediction_batches b
        CROSS JOIN LATERAL (SELECT array_position(b."requestIds", $1::text) AS i) p
        WHERE b."requestIds" @> ARRAY[$1::text]
        LIMIT 1`,
      [requestId],
    );
    return rows[0] ?? null;
  }

  private inBuffer(requestId: string): LoggedPrediction | null {
    for (const b of this.writing ? [this.writing, ...this.batches] : this.batches) {
      const i = b.requestId.indexOf(requestId);
      if (i < 0) continue;
      const a = b.assignment[i];
      return { experimentId: a.experimentId, variant: a.variant, callerOwner: b.callerOwner[i] };
    }
    return null;
  }

  /**
   * Deletes up to `limit` log batches written before `cutoff`, and up to `limit` each of the outcomes recorded and
   * the callers' request ids kept as long (the retention job); `more` when any may have more to delete.
   */
  async deleteOlderThan(cutoff: Date, limit: number): Promise<{ predictions: number; more: boolean }> {
    const [{ batches, predictions, others }]: { batches: number; predictions: number; others: number }[] =
      await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM experiment_prediction_batches WHERE id IN (
             SELECT id FROM experiment_prediction_batches WHERE "createdAt" < $1
              ORDER BY "createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED
           ) RETURNING size
         ), ids AS (
           DELETE FROM experiment_client_request_ids WHERE "requestId" IN (
             SELECT "requestId" FROM experiment_client_request_ids WHERE "createdAt" < $1
              ORDER BY "createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED
           ) RETURNING 1
         ), outcomes AS (
           DELETE FROM experiment_outcomes WHERE "requestId" IN (
             SELECT "requestId" FROM experiment_outcomes WHERE "createdAt" < $1
              ORDER BY "createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED
           ) RETURNING 1
         )
         SELECT (SELECT count(*)::int FROM gone) AS batches, (SELECT coalesce(sum(size), 0)::int FROM gone) AS predictions,
                greatest((SELECT count(*)::int FROM ids), (SELECT count(*)::int FROM outcomes)) AS others`,
        [cutoff, limit],
      );
    return { predictions, more: batches === limit || others === limit };
  }

  /**
   * Writes the full batches; with `all`, the one being filled too, as it is now: entries that come in during the
   * writes wait for the next flush (writing them as they came kept a loaded server writing ~60-entry batches).
   */
  private async write(all: boolean): Promise<void> {
    if (all && this.batches[this.batches.length - 1].length > 0) this.batches.push(new Batch());
    while (this.batches.length > 1) {
      const batch = this.batches.shift() as Batch;
      this.buffered -= batch.length;
      const units = new Map<Assignment, Set<string>>();
      this.writing = batch;
      try {
        await this.dataSource.transaction(async (m) => {
          const claimed = await this.claim(m, batch.clientRequestIds);
          for (const params of batchRows(batch, claimed, this.units, units)) await m.query(INSERT_BATCH, params);
        });
        this.units.remember(units);
      } catch (err) {
        this.dropped.inc({ reason: 'write_failed' }, batch.length);
        this.logger.warn({ message: 'could not write the prediction log', error: (err as Error).message });
        return;
      } finally {
        this.writing = null;
      }
    }
  }

  /** Claims the callers' request ids; returns those the log did not hold (under the server's id or a caller's). */
  private async claim(m: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const fresh: { requestId: string }[] = await m.query(
      `INSERT INTO experiment_client_request_ids ("requestId")
       SELECT DISTINCT r FROM unnest($1::varchar[]) AS r
        WHERE NOT EXISTS (SELECT 1 FROM experiment_prediction_batches b WHERE b."requestIds" @> ARRAY[r::text])
        ORDER BY r
       ON CONFLICT DO NOTHING RETURNING "requestId"`,
      [textArray(ids)],
    );
    return new Set(fresh.map((r) => r.requestId));
  }
}

/**
 * One experiment's share of a flush (parameters from batchRows). The variants' totals and new units are kept in
 * the same statement, both in key order so that two replicas' flushes cannot deadlock.
 */
const INSERT_BATCH = `WITH batch AS (
    INSERT INTO experiment_prediction_batches ("experimentId", size, variants, versions, random, "requestIds",
      assignments, "servedVersions", units, "callerOwners", "loggedAtMs", "latencyUs", errors)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ), totals AS (
    INSERT INTO experiment_variant_totals AS t ("experimentId", variant, predictions, "randomPredictions", errors)
    SELECT $1, v, p, r, e FROM unnest($14::varchar[], $15::int8[], $16::int8[], $17::int8[]) AS x(v, p, r, e)
     ORDER BY v
    ON CONFLICT ("experimentId", variant) DO UPDATE SET predictions = t.predictions + excluded.predictions,
      "randomPredictions" = t."randomPredictions" + excluded."randomPredictions", errors = t.errors + excluded.errors
  )
  INSERT INTO experiment_units ("experimentId", variant, "weightsSince", unit)
  SELECT $1, v, to_timestamp(w / 1000), u FROM unnest($18::varchar[], $19::float8[], $20::varchar[]) AS x(v, w, u)
   ORDER BY 2, 3, 4
  ON CONFLICT DO NOTHING`;
