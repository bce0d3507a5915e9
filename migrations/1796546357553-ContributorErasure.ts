import { MigrationInterface, QueryRunner } from 'typeorm';

export class ContributorErasure1796546357553 implements MigrationInterface {
  name = 'ContributorErasure1796546357553';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contributions" ADD "erasedAt" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "contribution_rows" ALTER COLUMN "data" DROP NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contribution_rows" ALTER COLUMN "data" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "contributions" DROP COLUMN "erasedAt"`);
  }
}
