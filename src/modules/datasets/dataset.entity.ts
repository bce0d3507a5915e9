import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DatasetKind } from './datasets.types';

/**
 * A benchmark or training set of a model. Its file is kept in the artifact storage under its sha256; its typed rows
 * are in `dataset_rows`. At most one benchmark per model is active (the partial unique index).
 */
@Entity('datasets')
@Index('idx_datasets_model_created', ['modelId', 'createdAt', 'id'])
@Index('uq_datasets_model_active', ['modelId'], { unique: true, where: '"active"' })
export class DatasetEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  @Column({ type: 'varchar', length: 16 })
  kind: DatasetKind;

  /** `sha256:<64 hex>` over the sorted distinct row hashes. */
  @Column({ type: 'varchar', length: 71 })
  hash: string;

  @Column({ type: 'int' })
  rowCount: number;

  @Column({ type: 'jsonb' })
  columns: string[];

  @Column({ type: 'varchar', length: 128 })
  labelColumn: string;

  /** The production version whose features the rows were checked against. */
  @Column({ type: 'int' })
  schemaVersion: number;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: false })
  active: boolean;

  @Column({ type: 'varchar', length: 8 })
  format: string;

  /** sha256 (hex) of the uploaded file's bytes, and its key in the artifact storage. */
  @Column({ type: 'char', length: 64 })
  fileSha256: string;

  @Column({ type: 'varchar', length: 256 })
  fileKey: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes: number;

  /** The owner of the API key that uploaded it. */
  @Column({ type: 'varchar', length: 100 })
  createdByOwner: string;

  @Column({ type: 'varchar', length: 100 })
  createdByKeyId: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
