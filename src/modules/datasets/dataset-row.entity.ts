import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DatasetEntity } from './dataset.entity';

/** One typed row of a dataset, in file order. Indexed on hash so leakage checks can join on contribution rows. */
@Entity('dataset_rows')
@Index('idx_dataset_rows_hash', ['hash'])
export class DatasetRowEntity {
  @PrimaryColumn({ type: 'uuid' })
  datasetId: string;

  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'datasetId' })
  dataset?: DatasetEntity;

  /** The row's index in the file (0-based, blank JSONL lines not counted). */
  @PrimaryColumn({ type: 'int' })
  rowIndex: number;

  /** sha256 (hex) of the row's canonical JSON, as contribution_rows."rowHash". */
  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ type: 'jsonb' })
  values: Record<string, unknown>;

  /**
   * The row's cells in the dataset's column order as little-endian float64, NaN where a cell is not a number
   * (packRow): evaluations read these instead of the jsonb. Null on rows stored before the column existed.
   */
  @Column({ type: 'bytea', nullable: true, select: false })
  features?: Buffer | null;
}
