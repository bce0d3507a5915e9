import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DecisionReason, DeltaOneSettingsValues } from './domain/decision';

/** The statistics as stored (JSON). */
export type StoredStatistics = Record<string, string | number | boolean | object | null>;

export const EVALUATION_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

/**
 * One evaluation of a candidate version against a baseline on a benchmark, and the DeltaOne decision taken on
 * it. Every figure is computed by the server; the versions' declared metrics are never read into it.
 */
@Entity('evaluations')
@Index('idx_evaluations_model_created', ['modelId', 'createdAt'])
@Index('idx_evaluations_accepted', ['modelId', 'benchmarkId', 'decidedAt'], { where: `"reason" = 'ACCEPTED'` })
export class EvaluationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  @Column({ type: 'uuid' })
  benchmarkId: string;

  @Column({ type: 'varchar', length: 80 })
  benchmarkHash: string;

  @Column({ type: 'uuid' })
  baselineVersionId: string;

  @Column({ type: 'int' })
  baselineVersion: number;

  @Column({ type: 'char', length: 64 })
  baselineSha256: string;

  @Column({ type: 'uuid' })
  candidateVersionId: string;

  @Column({ type: 'int' })
  candidateVersion: number;

  @Column({ type: 'char', length: 64 })
  candidateSha256: string;

  @Column({ type: 'varchar', length: 20 })
  metric: string;

  @Column({ type: 'varchar', length: 10 })
  direction: 'higher' | 'lower';

  @Column({ type: 'varchar', length: 12, default: 'queued' })
  status: EvaluationStatus;

  /** The settings in force when the evaluation was asked for. */
  @Column({ type: 'jsonb' })
  settings: DeltaOneSettingsValues;

  @Column({ type: 'int', nullable: true })
  n: number | null;

  @Column({ type: 'int', nullable: true })
  baselineBps: number | null;

  @Column({ type: 'int', nullable: true })
  candidateBps: number | null;

  @Column({ type: 'int', nullable: true })
  deltaBps: number | null;

  @Column({ type: 'int', nullable: true })
  leakedRows: number | null;

  @Column({ type: 'jsonb', nullable: true })
  statistics: StoredStatistics | null;

  @Column({ type: 'boolean', nullable: true })
  accepted: boolean | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  reason: DecisionReason | null;

  /** Why the evaluation could not be run (status failed). */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'uuid', nullable: true })
  jobId: string | null;

  @Column({ type: 'varchar', length: 100 })
  requestedBy: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** When a worker began scoring (the last attempt). */
  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}

/**
 * The per-row outcomes of both versions, packed: little-endian Float64 arrays (labels, then for each version its
 * prediction and, for classifiers with probabilities, its positive-class and true-class probabilities).
 */
@Entity('evaluation_outcomes')
export class EvaluationOutcomesEntity {
  @PrimaryColumn({ type: 'uuid' })
  evaluationId: string;

  @Column({ type: 'varchar', length: 10 })
  kind: 'classes' | 'numeric';

  @Column({ type: 'int' })
  rows: number;

  @Column({ type: 'bytea' })
  labels: Buffer;

  @Column({ type: 'bytea' })
  baseline: Buffer;

  @Column({ type: 'bytea' })
  candidate: Buffer;
}
