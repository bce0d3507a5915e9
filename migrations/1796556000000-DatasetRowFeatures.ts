import { MigrationInterface, QueryRunner } from 'typeorm';

export class DatasetRowFeatures1796556000000 implements MigrationInterface {
  name = 'DatasetRowFeatures1796556000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "dataset_rows" ADD "features" bytea`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "dataset_rows" DROP COLUMN "features"`);
  }
}
