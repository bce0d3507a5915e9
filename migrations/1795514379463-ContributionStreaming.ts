import { MigrationInterface, QueryRunner } from 'typeorm';

export class ContributionStreaming1795514379463 implements MigrationInterface {
  name = 'ContributionStreaming1795514379463';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contribution_upload_parts" ("contributionId" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_6335933a33ff777bb52025fb5a6" PRIMARY KEY ("contributionId", "seq"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "contribution_column_stats" ("modelId" uuid NOT NULL, "column" character varying(100) NOT NULL, "count" bigint NOT NULL, "mean" double precision NOT NULL, "m2" double precision NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_18303fbf27ea518b9799130ca1b" PRIMARY KEY ("modelId", "column"))`,
    );
    // Uploads waiting for their job keep their file, as one part.
    await queryRunner.query(
      `INSERT INTO "contribution_upload_parts" ("contributionId", "seq", "data") SELECT "contributionId", 0, "data" FROM "contribution_uploads"`,
    );
    await queryRunner.query(`ALTER TABLE "contribution_uploads" DROP COLUMN "data"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contribution_uploads" ADD "data" bytea`);
    await queryRunner.query(
      `UPDATE "contribution_uploads" u SET "data" = COALESCE((SELECT string_agg(p."data", '' ORDER BY p."seq") FROM "contribution_upload_parts" p WHERE p."contributionId" = u."contributionId"), '')`,
    );
    await queryRunner.query(`ALTER TABLE "contribution_uploads" ALTER COLUMN "data" SET NOT NULL`);
    await queryRunner.query(`DROP TABLE "contribution_column_stats"`);
    await queryRunner.query(`DROP TABLE "contribution_upload_parts"`);
  }
}
