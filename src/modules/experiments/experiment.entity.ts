import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BucketLayout } from './assignment';
import type { ExperimentStatus, Guardrail, PrimaryMetric, Shadow, Variant } from './experiments.rules';

/** An A/B experiment on one model: its variants, their bucket layout, its metric and its state. */
@Entity('experiments')
// At most one running experiment per model, held by the database so it holds across replicas.
@Index('uq_experiments_running_model', ['modelId'], { unique: true, where: `"status" = 'running'` })
@Index('idx_experiments_owner', ['owner', 'createdAt'])
export class ExperimentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  /** The model's owner (experiments are owner-scoped like models). */
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  @Column({ type: 'varchar', length: 20 })
  status: ExperimentStatus;

  @Column({ type: 'jsonb' })
  variants: Variant[];

  /** Which buckets each variant owns; changed only by moving the fewest buckets (see assignment.ts). */
  @Column({ type: 'jsonb' })
  layout: BucketLayout;

  @Column({ type: 'jsonb', nullable: true })
  shadow: Shadow | null;

  @Column({ type: 'varchar', length: 100 })
  unitHeader: string;

  @Column({ type: 'jsonb' })
  primaryMetric: PrimaryMetric;

  @Column({ type: 'double precision' })
  minimumDetectableEffect: number;

  @Column({ type: 'jsonb' })
  guardrails: Guardrail[];

  @Column({ type: 'integer' })
  minSamplesPerVariant: number;

  @Column({ type: 'double precision' })
  alpha: number;

  @Column({ type: 'boolean' })
  autoPromote: boolean;

  @Column({ type: 'varchar', length: 100 })
  createdBy: string;

  // Millisecond precision: the page cursor holds a JS Date.
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
