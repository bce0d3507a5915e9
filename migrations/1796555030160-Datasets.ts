import { MigrationInterface, QueryRunner } from 'typeorm';

export class Datasets1796555030160 implements MigrationInterface {
  name = 'Datasets1796555030160';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "datasets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "kind" character varying(16) NOT NULL, "hash" character varying(71) NOT NULL, "rowCount" integer NOT NULL, "columns" jsonb NOT NULL, "labelColumn" character varying(128) NOT NULL, "schemaVersion" integer NOT NULL, "description" text, "active" boolean NOT NULL DEFAULT false, "format" character varying(8) NOT NULL, "fileSha256" character(64) NOT NULL, "fileKey" character varying(256) NOT NULL, "sizeBytes" bigint NOT NULL, "createdByOwner" character varying(100) NOT NULL, "createdByKeyId" character varying(100) NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_datasets_model_active" ON "datasets"  ("modelId") WHERE "active"`);
    await queryRunner.query(`CREATE INDEX "idx_datasets_model_created" ON "datasets"  ("modelId", "createdAt", "id") `);
    await queryRunner.query(
      `CREATE TABLE "dataset_rows" ("datasetId" uuid NOT NULL, "rowIndex" integer NOT NULL, "hash" character(64) NOT NULL, "values" jsonb NOT NULL, CONSTRAINT "PK_93c87a8557585797c02c95dfdb5" PRIMARY KEY ("datasetId", "rowIndex"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_dataset_rows_hash" ON "dataset_rows"  ("hash") `);
    await queryRunner.query(
      `ALTER TABLE "dataset_rows" ADD CONSTRAINT "FK_a72289621f73d3bbf1511757342" FOREIGN KEY ("datasetId") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "dataset_rows" DROP CONSTRAINT "FK_a72289621f73d3bbf1511757342"`);
    await queryRunner.query(`DROP INDEX "public"."idx_dataset_rows_hash"`);
    await queryRunner.query(`DROP TABLE "dataset_rows"`);
    await queryRunner.query(`DROP INDEX "public"."idx_datasets_model_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_datasets_model_active"`);
    await queryRunner.query(`DROP TABLE "datasets"`);
  }
}
