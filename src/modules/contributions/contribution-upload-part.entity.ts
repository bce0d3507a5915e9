import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One piece (UPLOAD_PART_BYTES, the last shorter) of a stored upload's file, in order of `seq`: the file is
 * written and read a piece at a time, never held whole in memory.
 */
@Entity('contribution_upload_parts')
export class ContributionUploadPartEntity {
  @PrimaryColumn({ type: 'uuid' })
  contributionId: string;

  @PrimaryColumn({ type: 'int' })
  seq: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}
