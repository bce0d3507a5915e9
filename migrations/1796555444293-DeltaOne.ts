import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeltaOne1796555444293 implements MigrationInterface {
  name = 'DeltaOne1796555444293';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "deltaone_settings" ("modelId" uuid NOT NULL, "minExamples" integer NOT NULL DEFAULT '800', "cooldownSeconds" integer NOT NULL DEFAULT '86400', "thresholdBps" integer NOT NULL DEFAULT '100', "alpha" double precision NOT NULL DEFAULT '0.05', "updatedBy" character varying(100) NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8f25e7cbef6c1c3272eadb3e1b3" PRIMARY KEY ("modelId"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "evaluations" ("id" uuid NOT NULL, "modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "benchmarkId" uuid NOT NULL, "benchmarkHash" character varying(80) NOT NULL, "baselineVersionId" uuid NOT NULL, "baselineVersion" integer NOT NULL, "baselineSha256" character(64) NOT NULL, "candidateVersionId" uuid NOT NULL, "candidateVersion" integer NOT NULL, "candidateSha256" character(64) NOT NULL, "metric" character varying(20) NOT NULL, "direction" character varying(10) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'queued', "settings" jsonb NOT NULL, "n" integer, "baselineBps" integer, "candidateBps" integer, "deltaBps" integer, "leakedRows" integer, "statistics" jsonb, "accepted" boolean, "reason" character varying(40), "error" text, "jobId" uuid, "requestedBy" character varying(100) NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "startedAt" TIMESTAMP WITH TIME ZONE, "decidedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f683b433eba0e6dae7e19b29e29" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_evaluations_accepted" ON "evaluations"  ("modelId", "benchmarkId", "decidedAt") WHERE "reason" = 'ACCEPTED'`,
    );
    await queryRunner.query(`CREATE INDEX "idx_evaluations_model_created" ON "evaluations"  ("modelId", "createdAt") `);
    await queryRunner.query(
      `CREATE TABLE "evaluation_outcomes" ("evaluationId" uuid NOT NULL, "kind" character varying(10) NOT NULL, "rows" integer NOT NULL, "labels" bytea NOT NULL, "baseline" bytea NOT NULL, "candidate" bytea NOT NULL, CONSTRAINT "PK_1376dbc9af46a7fef25b77a5854" PRIMARY KEY ("evaluationId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "evaluation_outcomes"`);
    await queryRunner.query(`DROP INDEX "public"."idx_evaluations_model_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_evaluations_accepted"`);
    await queryRunner.query(`DROP TABLE "evaluations"`);
    await queryRunner.query(`DROP TABLE "deltaone_settings"`);
  }
}
