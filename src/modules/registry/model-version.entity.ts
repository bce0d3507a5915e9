import {
  Column,
  JoinColumn,
  ManyToOne,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { ModelEntity } from './model.entity';
import type { BatchingSettings, FeatureSpec, VersionSignature } from './registry.rules';

@Entity('model_versions')
@Unique('uq_model_versions_model_version', ['modelId', 'version'])
export class ModelVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'modelId' })
  model?: ModelEntity;

  /** 1, 2, 3, ... per model. */
  @Column({ type: 'integer' })
  version: number;

  /** Rows exist only once the artifact is stored and opened by onnxruntime, so every row is READY. */
  @Column({ type: 'varchar', length: 30, default: 'READY' })
  status: 'READY';

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metrics: Record<string, number>;

  @Column({ type: 'varchar', length: 200, nullable: true })
  datasetHash: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  runId: string | null;

  @Column({ type: 'integer', nullable: true })
  parentVersion: number | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  contributionIds: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', nullable: true })
  features: FeatureSpec[] | null;

  @Column({ type: 'jsonb' })
  signature: VersionSignature;

  @Column({ type: 'jsonb', nullable: true })
  batching: BatchingSettings | null;

  @Index('idx_model_versions_sha256')
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes: number;

  /** Where the artifact lives in the storage backend (content-addressed by sha256). */
  @Column({ type: 'varchar', length: 300 })
  artifactKey: string;

  @Column({ type: 'varchar', length: 100 })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
