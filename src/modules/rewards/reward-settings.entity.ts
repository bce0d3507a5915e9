import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A model's reward policy. Amounts are decimal strings of the token's smallest unit (18 decimals): never floats. */
@Entity('reward_settings')
export class RewardSettingsEntity {
  @PrimaryColumn({ type: 'uuid' })
  modelId: string;

  /** Smallest units paid per 100 bps of improvement. */
  @Column({ type: 'numeric', precision: 78, scale: 0 })
  tokensPerDeltaOne: string;

  @Column({ type: 'numeric', precision: 78, scale: 0 })
  maxReward: string;

  /** Smallest units the model may mint in total, over every reward. */
  @Column({ type: 'numeric', precision: 78, scale: 0 })
  budget: string;

  @Column({ type: 'boolean', default: false })
  paused: boolean;

  @Column({ type: 'varchar', length: 100 })
  updatedBy: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
