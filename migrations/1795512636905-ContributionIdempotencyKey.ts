import { MigrationInterface, QueryRunner } from 'typeorm';

export class ContributionIdempotencyKey1795512636905 implements MigrationInterface {
  name = 'ContributionIdempotencyKey1795512636905';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contributions" ADD "idempotencyKey" character varying(255)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_contributions_owner_idempotency_key" ON "contributions"  ("owner", "idempotencyKey") WHERE "idempotencyKey" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_contributions_owner_idempotency_key"`);
    await queryRunner.query(`ALTER TABLE "contributions" DROP COLUMN "idempotencyKey"`);
  }
}
