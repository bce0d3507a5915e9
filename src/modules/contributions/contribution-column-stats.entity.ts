import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Running statistics of one numeric column over a model's credited contribution rows (its training data):
 * count, mean and M2 (Welford). Merged, exactly, in the transaction that accepts a contribution; the reference
 * that outliers are measured against once there are MIN_REFERENCE_ROWS values.
 */
@Entity('contribution_column_stats')
export class ContributionColumnStatsEntity {
  @PrimaryColumn({ type: 'uuid' })
  modelId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  column: string;

  @Column({ type: 'bigint' })
  count: string;

  @Column({ type: 'double precision' })
  mean: number;

  @Column({ type: 'double precision' })
  m2: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
