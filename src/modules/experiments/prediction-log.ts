import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from 'src/platform/metrics';
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
 * Entries waiting to be written, a column per field: no object and no Date per request, and the batch's parameters
 * are built from the columns directly (see write).
 */
class Batch {
  readonly requestId: string[] = [];
  readonly assignment: Assignment[] = [];
  readonly unit: (string | null)[] = [];
  readonly callerOwner: string[] = [];
  readonly servedVersion: (number | null)[] = [];
  /** Epoch milliseconds. */
  readonly createdAt: number[] = [];
  /** Whole microseconds: an integer's text is cheaper to make than a float's. */
  readonly latencyUs: number[] = [];
  readonly error: (string | null)[] = [];

  get length(): number {
    return this.requestId.length;
  }
}

/**
 * The prediction log: routed predictions are buffered in memory and written in multi-row inserts off the
 * request path, every second or every BATCH entries, and once more when the app shuts down.
 */
@Injectable()
export class PredictionLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Experiments');
  /** Full batches first, the one being filled last. */
  private batches: Batch[] = [new Batch()];
  private buffered = 0;
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
    return this.buffered;
  }

  record(p: RoutedPrediction): void {
    if (this.buffered >= MAX_BUFFERED) {
      this.dropped.inc({ reason: 'full' });
      return;
    }
    const b = this.batches[this.batches.length - 1];
    b.requestId.push(p.requestId);
    b.assignment.push(p.assignment);
    b.unit.push(p.unit === null ? null : p.unit.slice(0, 200));
    b.callerOwner.push(p.callerOwner);
    b.servedVersion.push(p.servedVersion);
    b.createdAt.push(Date.now());
    b.latencyUs.push(Math.round(p.latencyMs * 1000));
    b.error.push(p.error);
    this.buffered += 1;
    if (b.length === BATCH) {
      this.batches.push(new Batch());
      void this.flush();
    }
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
    while (this.buffered > 0) {
      const batch = this.batches.shift() as Batch;
      if (this.batches.length === 0) this.batches.push(new Batch());
      this.buffered -= batch.length;
      try {
        // One statement with array parameters, each array's text built here: pg's own encoding of 11 arrays of
        // 500 values (a type check per value, a Date formatted per row) cost more main-thread time than the rest
        // of a routed request's extra work. The assignment's fields go once per distinct assignment (one per
        // variant, as a rule), each row naming its own by position: fewer values to format and to parse.
        const { distinct, position } = positions(batch.assignment);
        // The variants' running totals are kept in the same statement, from the rows it inserted (a request id seen
        // before adds nothing), and so are the units each served under its weights: inserted once and never updated
        // (a row per unit per flush made the statement slower as units returned). Both in key order, so that two
        // replicas' batches cannot deadlock.
        await this.dataSource.query(
          `WITH logged AS (
             INSERT INTO experiment_predictions ("requestId", "experimentId", variant, version, "servedVersion", unit,
               random, "callerOwner", "createdAt", "latencyMs", error)
             SELECT r, ($9::uuid[])[a], ($10::varchar[])[a], ($11::int[])[a], sv, u, ($12::bool[])[a], co,
                    to_timestamp(ca / 1000), us / 1000, err
               FROM unnest($1::varchar[], $2::int[], $3::int[], $4::varchar[], $5::varchar[], $6::float8[],
                           $7::float8[], $8::varchar[])
                    AS x(r, a, sv, u, co, ca, us, err)
             ON CONFLICT ("requestId") DO NOTHING
             RETURNING "experimentId", variant, random, error
           ), totals AS (
             INSERT INTO experiment_variant_totals AS t ("experimentId", variant, predictions, "randomPredictions", errors)
             SELECT "experimentId", variant, count(*), count(*) FILTER (WHERE random), count(error)
               FROM logged GROUP BY "experimentId", variant ORDER BY "experimentId", variant
             ON CONFLICT ("experimentId", variant) DO UPDATE SET predictions = t.predictions + excluded.predictions,
               "randomPredictions" = t."randomPredictions" + excluded."randomPredictions",
               errors = t.errors + excluded.errors
           )
           INSERT INTO experiment_units ("experimentId", variant, "weightsSince", unit)
           SELECT DISTINCT ($9::uuid[])[a], ($10::varchar[])[a], to_timestamp(($13::float8[])[a] / 1000), u
             FROM unnest($2::int[], $4::varchar[]) AS x(a, u)
            WHERE u IS NOT NULL AND NOT ($12::bool[])[a]
            ORDER BY 1, 2, 3, 4
           ON CONFLICT DO NOTHING`,
          [
            textArray(batch.requestId),
            numberArray(position),
            numberArray(batch.servedVersion),
            textArray(batch.unit),
            textArray(batch.callerOwner),
            numberArray(batch.createdAt),
            numberArray(batch.latencyUs),
            textArray(batch.error),
            textArray(distinct.map((x) => x.experimentId)),
            textArray(distinct.map((x) => x.variant)),
            numberArray(distinct.map((x) => x.version)),
            `{${distinct.map((x) => x.random).join(',')}}`,
            numberArray(distinct.map((x) => x.weightsSince)),
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

/** The distinct assignments, and each entry's (1-based, as PostgreSQL's arrays are) position among them. */
function positions(assignments: readonly Assignment[]): { distinct: Assignment[]; position: number[] } {
  const distinct: Assignment[] = [];
  const seen = new Map<Assignment, number>();
  const position = new Array<number>(assignments.length);
  for (let i = 0; i < assignments.length; i++) {
    let at = seen.get(assignments[i]);
    if (at === undefined) {
      at = distinct.push(assignments[i]);
      seen.set(assignments[i], at);
    }
    position[i] = at;
  }
  return { distinct, position };
}

/** A PostgreSQL array literal of strings: each quoted, `"` and `\` escaped; null as NULL. */
export function textArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else out += `"${ESCAPED.test(v) ? v.replace(ESCAPED_ALL, '\\$&') : v}"`;
  }
  return `${out}}`;
}

/** A PostgreSQL array literal of numbers (finite), null as NULL. */
export function numberArray(values: readonly (number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += values[i] === null ? 'NULL' : String(values[i]);
  }
  return `${out}}`;
}

const ESCAPED = /["\\]/;
const ESCAPED_ALL = /["\\]/g;
