import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const TRAINING_RUN_STATUSES = ['queued', 'running', 'registered', 'failed', 'cancelled'] as const;
export type TrainingRunStatus = (typeof TRAINING_RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly TrainingRunStatus[] = ['registered', 'failed', 'cancelled'];

export interface TrainingRunProgress {
  iteration: number;
  loss: number;
  elapsedMs: number;
}

/** What the run trained on, recorded when its data is read. */
export interface TrainingRunData {
  dataset: { id: string; hash: string; rows: number } | null;
  contributions: { id: string; walletAddress: string; creditedRows: number }[];
  /** Rows used after the drops. */
  rows: number;
  dropped: { reason: 'IN_ACTIVE_BENCHMARK' | 'MISSING_VALUE'; rows: number }[];
  /**
   * The benchmark active when the data was read: every row whose hash is in it was dropped, so the DeltaOne leakage
   * gate knows that benchmark's rows are not in what the candidate was trained on (see the deltaone module).
   */
  excludedBenchmark: { id: string; hash: string } | null;
  features: string[];
  labelColumn: string;
  /** For classifiers: the label value of each class index. */
  classes?: (string | number)[];
}

/** One training run of a model. At most one queued or running per model (partial unique index). */
@Entity('training_runs')
@Index('uq_training_runs_model_active', ['modelId'], { unique: true, where: `"status" IN ('queued', 'running')` })
@Index('idx_training_runs_model_created', ['modelId', 'createdAt'])
export class TrainingRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  /** Who started it (the API key's owner, or the model's owner for a policy trigger). */
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  @Column({ type: 'varchar', length: 100 })
  createdByKeyId: string;

  /** `api` or `policy`. */
  @Column({ type: 'varchar', length: 16, default: 'api' })
  trigger: string;

  @Column({ type: 'varchar', length: 16 })
  status: TrainingRunStatus;

  @Column({ type: 'varchar', length: 40 })
  family: string;

  @Column({ type: 'jsonb' })
  hyperparameters: Record<string, number>;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seed: number;

  @Column({ type: 'integer' })
  baseVersion: number;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  contributionIds: string[];

  @Column({ type: 'jsonb', nullable: true })
  data: TrainingRunData | null;

  @Column({ type: 'jsonb', nullable: true })
  progress: TrainingRunProgress | null;

  @Column({ type: 'jsonb', nullable: true })
  metrics: { training: Record<string, number>; validation: Record<string, number> } | null;

  /** Verification, rows, iterations, timings of the trainer. */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ type: 'integer', nullable: true })
  resultVersion: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  resultSha256: string | null;

  @Column({ type: 'uuid', nullable: true })
  evaluationId: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  failureCode: string | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  /** Set by a cancel on any replica; the process running the job polls it. */
  @Column({ type: 'boolean', default: false })
  cancelRequested: boolean;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;
}
