import { MigrationInterface, QueryRunner } from 'typeorm';

export class Training1796560000000 implements MigrationInterface {
  name = 'Training1796560000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "training_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "owner" character varying(100) NOT NULL, "createdByKeyId" character varying(100) NOT NULL, "trigger" character varying(16) NOT NULL DEFAULT 'api', "status" character varying(16) NOT NULL, "family" character varying(40) NOT NULL, "hyperparameters" jsonb NOT NULL, "seed" bigint NOT NULL, "baseVersion" integer NOT NULL, "contributionIds" uuid array NOT NULL DEFAULT '{}', "data" jsonb, "progress" jsonb, "metrics" jsonb, "details" jsonb, "resultVersion" integer, "resultSha256" character varying(64), "evaluationId" uuid, "failureCode" character varying(40), "failureReason" text, "cancelRequested" boolean NOT NULL DEFAULT false, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "startedAt" TIMESTAMP(3) WITH TIME ZONE, "finishedAt" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_3f5056858e48ed5e97b4faaa05a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_training_runs_model_active" ON "training_runs" ("modelId") WHERE "status" IN ('queued', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_training_runs_model_created" ON "training_runs" ("modelId", "createdAt") `,
    );
    await queryRunner.query(
      `CREATE TABLE "training_policies" ("modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "enabled" boolean NOT NULL, "minNewRows" integer NOT NULL, "minIntervalMinutes" integer NOT NULL, "onlyWhenMetricBelow" double precision, "lastTriggeredAt" TIMESTAMP(3) WITH TIME ZONE, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6f19eb89017b94eb883a3c68681" PRIMARY KEY ("modelId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "training_policies"`);
    await queryRunner.query(`DROP INDEX "public"."idx_training_runs_model_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_training_runs_model_active"`);
    await queryRunner.query(`DROP TABLE "training_runs"`);
  }
}
