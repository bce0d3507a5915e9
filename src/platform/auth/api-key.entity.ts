import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Index('idx_api_keys_owner')
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  /** The first characters of the key, safe to show, so people can tell their keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** SHA-256 of the whole key. Keys carry 256 random bits, so a slow hash adds nothing but latency. */
  @Index('uq_api_keys_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  /** True for the key the server made (or took from ADMIN_API_KEY) at first start; at most one. */
  @Index('uq_api_keys_bootstrap', { unique: true, where: 'bootstrap' })
  @Column({ type: 'boolean', default: false })
  bootstrap: boolean;

  @Column({ type: 'uuid', nullable: true })
  createdByKeyId: string | null;

  /** Millisecond precision, so the keyset cursor (a JS Date) matches it exactly. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
