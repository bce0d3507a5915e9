import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ModelEntity } from './model.entity';
import type { AliasAction } from './registry.rules';

/** Every change of every alias: who, when, from which version to which (null when created or deleted). */
@Entity('model_alias_history')
@Index('idx_model_alias_history_model_alias', ['modelId', 'alias', 'id'])
export class ModelAliasHistoryEntity {
  /** Increases with every change, so it orders the history exactly (timestamps can tie). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'modelId' })
  model?: ModelEntity;

  @Column({ type: 'varchar', length: 256 })
  alias: string;

  @Column({ type: 'varchar', length: 20 })
  action: AliasAction;

  @Column({ type: 'integer', nullable: true })
  fromVersion: number | null;

  @Column({ type: 'integer', nullable: true })
  toVersion: number | null;

  /** Owner of the key that made the change. */
  @Column({ type: 'varchar', length: 100 })
  actor: string;

  /** The API key id, or the name of the internal actor (e.g. an experiment's auto-promotion). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actorKeyId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
