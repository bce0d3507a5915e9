import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A model's DeltaOne rules, set by its owner or an admin. A model without a row has the defaults. */
@Entity('deltaone_settings')
export class DeltaOneSettingsEntity {
  @PrimaryColumn({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'int', default: 800 })
  minExamples: number;

  @Column({ type: 'int', default: 86400 })
  cooldownSeconds: number;

  @Column({ type: 'int', default: 100 })
  thresholdBps: number;

  @Column({ type: 'double precision', default: 0.05 })
  alpha: number;

  @Column({ type: 'varchar', length: 100 })
  updatedBy: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
