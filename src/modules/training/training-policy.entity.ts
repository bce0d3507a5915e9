import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** When a model retrains by itself (the scheduled policy check). */
@Entity('training_policies')
export class TrainingPolicyEntity {
  @PrimaryColumn({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ type: 'integer' })
  minNewRows: number;

  @Column({ type: 'integer' })
  minIntervalMinutes: number;

  @Column({ type: 'double precision', nullable: true })
  onlyWhenMetricBelow: number | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastTriggeredAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
