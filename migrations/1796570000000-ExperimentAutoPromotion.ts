import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExperimentAutoPromotion1796570000000 implements MigrationInterface {
  name = 'ExperimentAutoPromotion1796570000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" ADD "alwaysValidPValues" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "experiments" ADD "lastDecision" character varying(20)`);
    await queryRunner.query(`ALTER TABLE "experiments" ADD "weightsSince" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "weightsSince"`);
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "lastDecision"`);
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "alwaysValidPValues"`);
  }
}
