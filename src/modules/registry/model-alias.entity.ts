import { Column, JoinColumn, ManyToOne, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { ModelEntity } from './model.entity';

/** A named pointer to one version of a model (MLflow aliases: `production`, `champion`, ...). */
@Entity('model_aliases')
export class ModelAliasEntity {
  @PrimaryColumn({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'modelId' })
  model?: ModelEntity;

  @PrimaryColumn({ type: 'varchar', length: 256 })
  alias: string;

  @Column({ type: 'integer' })
  version: number;

  /** The owner of the key that last moved the alias. */
  @Column({ type: 'varchar', length: 100 })
  updatedBy: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
