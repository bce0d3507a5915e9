import { MigrationInterface, QueryRunner } from 'typeorm';

export class Experiments1796555060108 implements MigrationInterface {
  name = 'Experiments1796555060108';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "experiments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "owner" character varying(100) NOT NULL, "status" character varying(20) NOT NULL, "variants" jsonb NOT NULL, "layout" jsonb NOT NULL, "shadow" jsonb, "unitHeader" character varying(100) NOT NULL, "primaryMetric" jsonb NOT NULL, "minimumDetectableEffect" double precision NOT NULL, "guardrails" jsonb NOT NULL, "minSamplesPerVariant" integer NOT NULL, "alpha" double precision NOT NULL, "autoPromote" boolean NOT NULL, "createdBy" character varying(100) NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "startedAt" TIMESTAMP WITH TIME ZONE, "endedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_aafe1321d916fac58ba06ad8178" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_experiments_owner" ON "experiments"  ("owner", "createdAt") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_experiments_running_model" ON "experiments"  ("modelId") WHERE "status" = 'running'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_experiments_running_model"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiments_owner"`);
    await queryRunner.query(`DROP TABLE "experiments"`);
  }
}
