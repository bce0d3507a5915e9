import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row of an accepted contribution. A row is credited to the first contribution that brought it to the model:
 * the partial unique index makes a second credited copy impossible, even under concurrent submissions.
 */
@Entity('contribution_rows')
@Index('uq_contribution_rows_model_hash_credited', ['modelId', 'rowHash'], { unique: true, where: '"credited"' })
@Index('idx_contribution_rows_contribution', ['contributionId', 'rowIndex'])
@Index('idx_contribution_rows_model_id', ['modelId', 'id'])
export class ContributionRowEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  contributionId: string;

  @Column({ type: 'uuid' })
  modelId: string;

  /** The row's index in the submitted batch. */
  @Column({ type: 'int' })
  rowIndex: number;

  /** sha256 (hex) of the row's canonical JSON. */
  @Column({ type: 'char', length: 64 })
  rowHash: string;

  /** The row's contents; null once its contributor had them erased (the hash stays). */
  @Column({ type: 'jsonb', nullable: true })
  data: Record<string, unknown> | null;

  @Column({ type: 'boolean' })
  credited: boolean;

  /** Already in the model's data (from any contribution) or repeated in the batch: stored, not credited. */
  @Column({ type: 'boolean', default: false })
  duplicate: boolean;
}
