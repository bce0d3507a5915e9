import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const REWARD_STATUSES = ['skipped', 'pending', 'submitted', 'confirmed', 'failed'] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

/** One wallet's part of a reward; amounts in the token's smallest unit, as decimal strings. */
export interface RewardRecipient {
  walletAddress: string;
  creditedRows: number;
  weightBps: number;
  amount: string;
  contributionIds: string[];
}

/**
 * What one accepted DeltaOne paid (or why nothing): the attestation and its signature, the split per wallet and
 * the mint's progress, `pending → submitted (txHash) → confirmed (block) | failed (reason)`. `skipped` carries
 * the reason no mint was made (PAUSED, NO_CONTRIBUTORS, BUDGET_EXHAUSTED, ZERO_REWARD).
 */
@Entity('rewards')
@Index('idx_rewards_model_created', ['modelId', 'createdAt'])
@Index('idx_rewards_wallets', { synchronize: false })
export class RewardEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_rewards_evaluation', { unique: true })
  @Column({ type: 'uuid' })
  evaluationId: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'varchar', length: 100 })
  modelName: string;

  /** The model's owner when awarded: it may read the reward. */
  @Column({ type: 'varchar', length: 100 })
  modelOwner: string;

  @Column({ type: 'varchar', length: 20 })
  tokenId: string;

  @Column({ type: 'varchar', length: 20 })
  status: RewardStatus;

  @Column({ type: 'varchar', length: 40, nullable: true })
  reason: string | null;

  @Column({ type: 'int' })
  deltaBps: number;

  /** Smallest units minted in total (0 when skipped). */
  @Column({ type: 'numeric', precision: 78, scale: 0 })
  total: string;

  /** The reward the formula gave, before the pause and budget checks (what a skipped reward would have paid). */
  @Column({ type: 'numeric', precision: 78, scale: 0 })
  wanted: string;

  @Column({ type: 'jsonb' })
  recipients: RewardRecipient[];

  /** Lower-case wallets, for the contributor history (GIN index, hand-written in the migration). */
  @Column({ type: 'text', array: true })
  wallets: string[];

  /** The canonical attestation document (see attestation.ts). */
  @Column({ type: 'jsonb' })
  attestation: Record<string, unknown>;

  /** 0x + sha256 (hex) of the attestation's canonical JSON. */
  @Column({ type: 'char', length: 66 })
  attestationHash: string;

  @Column({ type: 'varchar', length: 132 })
  signature: string;

  @Column({ type: 'varchar', length: 42 })
  signer: string;

  @Column({ type: 'int' })
  chainId: number;

  /** 0x + sha256(modelId:attestationHash): the minter refuses it a second time. */
  @Column({ type: 'char', length: 66 })
  mintKey: string;

  @Column({ type: 'varchar', length: 42, nullable: true })
  tokenAddress: string | null;

  @Column({ type: 'varchar', length: 66, nullable: true })
  txHash: string | null;

  @Column({ type: 'int', nullable: true })
  blockNumber: number | null;

  @Column({ type: 'int', nullable: true })
  confirmations: number | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
