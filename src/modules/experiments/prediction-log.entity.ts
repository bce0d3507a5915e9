import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One prediction an experiment routed, and the outcome its caller reported for it later (if any). */
@Entity('experiment_predictions')
@Index('idx_experiment_predictions_variant', ['experimentId', 'variant'])
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
