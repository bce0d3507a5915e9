import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One `Idempotency-Key` of one owner: the request it was first used with (by hash) and, once that request
 * finished, the answer to replay. Kept for IDEMPOTENCY_TTL_HOURS.
 */
@Entity('idempotency_keys')
@Index('idx_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  owner: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** `METHOD path` the key was used on. */
  @Column({ type: 'varchar', length: 300 })
  route: string;

  /** sha256 of the canonical request (route + body), to tell a retry from a different request. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: 'in_progress' | 'completed';

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
