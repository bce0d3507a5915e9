import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One flush of an experiment's prediction log: the entries buffered since the last flush, a column array per field,
 * in one row. A row per routed prediction (with its primary key) cost PostgreSQL ~24 µs of CPU per prediction on
 * the same cores as the server; a row per flush costs a few. Request ids are found through a GIN index on
 * `requestIds` (created in the migration: TypeORM cannot declare it). The view `experiment_predictions` shows the
 * log as a row per prediction.
 */
@Entity('experiment_prediction_batches')
@Index('idx_experiment_prediction_batches_experiment', ['experimentId', 'id'])
@Index('idx_experiment_prediction_batches_created', ['createdAt'])
@Index('idx_experiment_prediction_batches_request_ids', { synchronize: false })
export class PredictionBatchEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  experimentId: string;

  /** When the batch was written. */
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;

  /** Entries in the batch. */
  @Column({ type: 'integer' })
  size: number;

  /** The batch's distinct assignments (a variant, its version, and whether it was assigned at random)... */
  @Column({ type: 'text', array: true })
  variants: string[];

  @Column({ type: 'integer', array: true })
  versions: number[];

  @Column({ type: 'boolean', array: true })
  random: boolean[];

  /** ...and per entry, its request id and (1-based) assignment among them. */
  @Column({ type: 'text', array: true })
  requestIds: string[];

  @Column({ type: 'smallint', array: true })
  assignments: number[];

  /** The version that answered: the previous production version after a fallback; null when it failed. */
  @Column({ type: 'integer', array: true })
  servedVersions: (number | null)[];

  @Column({ type: 'text', array: true })
  units: (string | null)[];

  /** The owner of the key that asked (who may report the outcome, with the experiment's owner). */
  @Column({ type: 'text', array: true })
  callerOwners: string[];

  /** When each was logged, epoch milliseconds. */
  @Column({ type: 'double precision', array: true })
  loggedAtMs: number[];

  @Column({ type: 'integer', array: true })
  latencyUs: number[];

  /** The error code when it failed. */
  @Column({ type: 'text', array: true })
  errors: (string | null)[];
}

/**
 * The outcome a caller reported for a routed prediction: one per request id, set once. Not tied to its prediction's
 * batch row, so that an outcome for a prediction still in a replica's buffer is recorded at once (no forced flush).
 */
@Entity('experiment_outcomes')
@Index('idx_experiment_outcomes_created', ['createdAt'])
export class ExperimentOutcomeEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  requestId: string;

  @Column({ type: 'uuid' })
  experimentId: string;

  @Column({ type: 'varchar', length: 50 })
  variant: string;

  @Column({ type: 'double precision' })
  value: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/**
 * Request ids the callers chose (X-Request-Id) that the log holds: a replayed one is logged once. The server's own
 * request ids are random UUIDs and need no such row.
 */
@Entity('experiment_client_request_ids')
@Index('idx_experiment_client_request_ids_created', ['createdAt'])
export class ClientRequestIdEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  requestId: string;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;
}

/**
 * A variant's running totals over its prediction log, kept in the statement that writes each log batch (and an
 * outcome's in the statement that records it), so that the results and the scheduled check read a row per
 * variant instead of aggregating a log that grows with the experiment. Retention does not change them.
 */
@Entity('experiment_variant_totals')
export class VariantTotalsEntity {
  @PrimaryColumn({ type: 'uuid' })
  experimentId: string;

  @PrimaryColumn({ type: 'varchar', length: 50 })
  variant: string;

  @Column({ type: 'bigint', default: 0 })
  predictions: string;

  @Column({ type: 'bigint', default: 0 })
  randomPredictions: string;

  @Column({ type: 'bigint', default: 0 })
  errors: string;

  @Column({ type: 'bigint', default: 0 })
  outcomes: string;

  @Column({ type: 'double precision', default: 0 })
  outcomeSum: number;

  @Column({ type: 'double precision', default: 0 })
  outcomeSumSq: number;
}

/**
 * The units a variant served (named, not assigned at random) under each set of weights, keyed by the experiment's
 * `weightsSince` when the prediction was routed: a unit's row is inserted once per weights and never updated, so
 * the log's writes add rows here only for new units, and the sample-ratio check counts the current weights' units.
 */
@Entity('experiment_units')
export class ExperimentUnitEntity {
  @PrimaryColumn({ type: 'uuid' })
  experimentId: string;

  @PrimaryColumn({ type: 'varchar', length: 50 })
  variant: string;

  @PrimaryColumn({ type: 'timestamptz', precision: 3 })
  weightsSince: Date;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  unit: string;
}
