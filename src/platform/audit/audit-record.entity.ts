import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One audited write. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (migration AuditLog), and each
 * record carries the sha256 of the previous record's hash and its own content, so an edit made with the trigger
 * disabled is found by GET /api/v1/audit/verify.
 */
@Entity('audit_log')
@Index('idx_audit_log_actor_owner', ['actorOwner', 'seq'])
@Index('idx_audit_log_target_owner', ['targetOwner', 'seq'])
@Index('idx_audit_log_target', ['targetType', 'targetId', 'seq'])
@Index('idx_audit_log_action', ['action', 'seq'])
@Index('idx_audit_log_created_at', ['createdAt'])
export class AuditRecordEntity {
  /** Position in the chain, 1, 2, 3, ... with no gap: given out under the chain's lock, never by a sequence. */
  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  /** Millisecond precision, so the value hashed is the value stored. */
  @Column({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'uuid', nullable: true })
  actorKeyId: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  actorKeyPrefix: string | null;

  /** The acting key's owner; null for the system (a job, a timer). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actorOwner: string | null;

  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ type: 'varchar', length: 50 })
  targetType: string;

  @Column({ type: 'varchar', length: 300 })
  targetId: string;

  /** The owner of the object acted on, so an owner also sees what an admin did to its objects. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  targetOwner: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientIp: string | null;

  @Column({ type: 'varchar', length: 32 })
  outcome: string;

  /** `{field: {from?, to?}}` for the fields that changed: clamped values, never secrets or row contents. */
  @Column({ type: 'jsonb', nullable: true })
  changes: Record<string, AuditChange> | null;

  @Column({ type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}

export interface AuditChange {
  from?: unknown;
  to?: unknown;
}
