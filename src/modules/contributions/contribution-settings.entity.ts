import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { PiiPolicy } from './pii-policy';

/** A model's contribution rules, set by its owner. A model without a row has the defaults. */
@Entity('contribution_settings')
export class ContributionSettingsEntity {
  @PrimaryColumn({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  @Column({ type: 'varchar', length: 20, default: 'reject' })
  piiPolicy: PiiPolicy;

  @Column({ type: 'double precision', default: 0.8 })
  minQuality: number;

  @Column({ type: 'boolean', default: false })
  requireSignature: boolean;

  @Column({ type: 'varchar', length: 100 })
  updatedBy: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
