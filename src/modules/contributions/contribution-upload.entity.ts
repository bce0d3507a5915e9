import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A multipart contribution of more than 10,000 rows, kept in PostgreSQL (every replica's job worker can read it)
 * until the durable job has processed it; then deleted. The file's bytes are in contribution_upload_parts.
 */
@Entity('contribution_uploads')
export class ContributionUploadEntity {
  @PrimaryColumn({ type: 'uuid' })
  contributionId: string;

  @Column({ type: 'varchar', length: 10 })
  format: 'csv' | 'jsonl' | 'json';

  @Column({ type: 'varchar', length: 132, nullable: true })
  signature: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  signedAt: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
