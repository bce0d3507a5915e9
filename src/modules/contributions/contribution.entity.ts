import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { QualityReport } from './contribution-quality';
import type { PiiSummary } from './pii-policy';

export const CONTRIBUTION_STATUSES = [
  'received',
  'validating',
  'accepted',
  'rejected',
  'included_in_training',
  'rewarded',
] as const;
export type ContributionStatus = (typeof CONTRIBUTION_STATUSES)[number];

/** One batch of rows given to a model by a contributor (a wallet), through the API key of `owner`. */
@Entity('contributions')
@Index('idx_contributions_model_created', ['modelId', 'createdAt'])
@Index('idx_contributions_wallet_created', ['walletAddress', 'createdAt'])
@Index('uq_contributions_owner_idempotency_key', ['owner', 'idempotencyKey'], {
  unique: true,
  where: '"idempotencyKey" IS NOT NULL',
})
export class ContributionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  /** The model's owner at submission: it may see the contribution. */
  @Column({ type: 'varchar', length: 100 })
  modelOwner: string;

  /** The owner of the API key that submitted it. */
  @Index('idx_contributions_owner')
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  @Column({ type: 'varchar', length: 100 })
  createdByKeyId: string;

  /** The Idempotency-Key of the request that made it: a retry after a crash finds it and answers with it. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  /** EIP-55 checksum form. */
  @Column({ type: 'varchar', length: 42 })
  walletAddress: string;

  @Column({ type: 'boolean', default: false })
  signatureVerified: boolean;

  @Column({ type: 'varchar', length: 30 })
  status: ContributionStatus;

  @Column({ type: 'int', default: 0 })
  receivedRows: number;

  @Column({ type: 'int', default: 0 })
  acceptedRows: number;

  @Column({ type: 'int', default: 0 })
  rejectedRows: number;

  @Column({ type: 'int', default: 0 })
  duplicateRows: number;

  /** `sha256:<64 hex>` over the sorted hashes of the stored rows; null until processed. */
  @Column({ type: 'varchar', length: 71, nullable: true })
  datasetHash: string | null;

  @Column({ type: 'jsonb', nullable: true })
  qualityReport: QualityReport | null;

  @Column({ type: 'jsonb', nullable: true })
  piiSummary: PiiSummary | null;

  /** Row problems found by the schema check (at most 1,000 listed). */
  @Column({ type: 'jsonb', nullable: true })
  rowErrors: { row: number; column: string; code: string }[] | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  rejectionCode: string | null;

  @Column({ type: 'text', nullable: true })
  rejectionReason: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  license: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ type: 'timestamptz', precision: 3 })
  receivedAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  validatingAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  acceptedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  rejectedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  includedInTrainingAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  rewardedAt: Date | null;

  /**
   * When the contributor had its rows' contents erased (null: never). The counts, hashes, status and lifecycle
   * stay, so rewards remain verifiable.
   */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  erasedAt: Date | null;

  /** Millisecond precision, like the pagination cursors that carry it. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
