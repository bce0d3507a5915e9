import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One prediction an experiment routed, and the outcome its caller reported for it later (if any). */
@Entity('experiment_predictions')
@Index('idx_experiment_predictions_variant', ['experimentId', 'variant', 'createdAt'])
@Index('idx_experiment_predictions_created', ['createdAt'])
export class PredictionLogEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  requestId: string;

  @Column({ type: 'uuid' })
  experimentId: string;

  @Column({ type: 'varchar', length: 50 })
  variant: string;

  /** The variant's version. */
  @Column({ type: 'integer' })
  version: number;

  /** The version that answered: the previous production version after a fallback. */
  @Column({ type: 'integer', nullable: true })
  servedVersion: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  unit: string | null;

  /** Assigned at random (no unit named). */
  @Column({ type: 'boolean' })
  random: boolean;

  /** The owner of the key that asked (who may report its outcome, with the experiment's owner). */
  @Column({ type: 'varchar', length: 100 })
  callerOwner: string;

  @Column({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'double precision' })
  latencyMs: number;

  /** The error code when it failed. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  error: string | null;

  @Column({ type: 'double precision', nullable: true })
  outcome: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  outcomeAt: Date | null;
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
