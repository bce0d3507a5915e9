import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One day's retention run. The replica that inserts the day's row enqueues its job in the same transaction, so
 * however many replicas boot or reschedule, a day has one run.
 */
@Entity('retention_runs')
export class RetentionRunEntity {
  /** The UTC day of the run (YYYY-MM-DD). */
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'timestamptz' })
  scheduledFor: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Rows deleted by kind, once finished. */
  @Column({ type: 'jsonb', nullable: true })
  deleted: Record<string, number> | null;
}
