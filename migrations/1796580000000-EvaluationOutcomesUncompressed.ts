import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-row outcomes are packed float64 arrays (~560 kB for 10,000 rows): PostgreSQL's pglz compression of them cost
 * ~8 ms of the ~11 ms insert and saves little (probabilities barely compress). EXTERNAL keeps them out of line,
 * uncompressed.
 */
export class EvaluationOutcomesUncompressed1796580000000 implements MigrationInterface {
  name = 'EvaluationOutcomesUncompressed1796580000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "evaluation_outcomes" ALTER "labels" SET STORAGE EXTERNAL, ALTER "baseline" SET STORAGE EXTERNAL, ALTER "candidate" SET STORAGE EXTERNAL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "evaluation_outcomes" ALTER "labels" SET STORAGE EXTENDED, ALTER "baseline" SET STORAGE EXTENDED, ALTER "candidate" SET STORAGE EXTENDED`,
    );
  }
}
