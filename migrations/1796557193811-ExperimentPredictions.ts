import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExperimentPredictions1796557193811 implements MigrationInterface {
  name = 'ExperimentPredictions1796557193811';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "experiment_predictions" ("requestId" character varying(100) NOT NULL, "experimentId" uuid NOT NULL, "variant" character varying(50) NOT NULL, "version" integer NOT NULL, "servedVersion" integer, "unit" character varying(200), "random" boolean NOT NULL, "callerOwner" character varying(100) NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "latencyMs" double precision NOT NULL, "error" character varying(100), "outcome" double precision, "outcomeAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8f53e9434b4bfe4c7318d4db0e0" PRIMARY KEY ("requestId"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_predictions_created" ON "experiment_predictions"  ("createdAt") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_predictions_variant" ON "experiment_predictions"  ("experimentId", "variant") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_predictions_variant"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_predictions_created"`);
    await queryRunner.query(`DROP TABLE "experiment_predictions"`);
  }
}
