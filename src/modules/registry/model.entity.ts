import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BenchmarkMetric, LabelKind, MetricDirection, ModelStatus, ModelVisibility } from './registry.rules';

@Entity('models')
export class ModelEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The model's slug, unique for ever (an archived model keeps its name). */
  @Index('uq_models_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  /** Upper-case token id (`^[A-Z0-9-]+$`, at most 64 characters), unique. */
  @Index('uq_models_token_id', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenId: string;

  @Column({ type: 'varchar', length: 20 })
  benchmarkMetric: BenchmarkMetric;

  @Column({ type: 'varchar', length: 20 })
  metricDirection: MetricDirection;

  /** The declared baseline of the benchmark metric. */
  @Column({ type: 'double precision', nullable: true })
  benchmarkValue: number | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  labelColumn: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  labelKind: LabelKind | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'varchar', length: 10, default: 'public' })
  visibility: ModelVisibility;

  @Index('idx_models_owner')
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  @Column({ type: 'varchar', length: 10, default: 'active' })
  status: ModelStatus;

  /**
   * The highest version number given out. Incremented under the row lock in the transaction that inserts the
   * version, so numbers have no gap and no duplicate even under concurrent uploads.
   */
  @Column({ type: 'integer', default: 0 })
  latestVersion: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
}
