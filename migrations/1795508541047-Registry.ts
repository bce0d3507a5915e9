import { MigrationInterface, QueryRunner } from 'typeorm';

export class Registry1795508541047 implements MigrationInterface {
  name = 'Registry1795508541047';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "models" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "description" text NOT NULL DEFAULT '', "tokenId" character varying(64) NOT NULL, "benchmarkMetric" character varying(20) NOT NULL, "metricDirection" character varying(20) NOT NULL, "benchmarkValue" double precision, "labelColumn" character varying(128), "labelKind" character varying(10), "tags" text array NOT NULL DEFAULT '{}', "visibility" character varying(10) NOT NULL DEFAULT 'public', "owner" character varying(100) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'active', "latestVersion" integer NOT NULL DEFAULT '0', "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "archivedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ef9ed7160ea69013636466bf2d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_models_name" ON "models"  ("name") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_models_token_id" ON "models"  ("tokenId") `);
    await queryRunner.query(`CREATE INDEX "idx_models_owner" ON "models"  ("owner") `);
    await queryRunner.query(
      `CREATE TABLE "model_alias_history" ("id" BIGSERIAL NOT NULL, "modelId" uuid NOT NULL, "alias" character varying(256) NOT NULL, "action" character varying(20) NOT NULL, "fromVersion" integer, "toVersion" integer, "actor" character varying(100) NOT NULL, "actorKeyId" character varying(100), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cfb4ee838bfd2d68a05a9af1d5e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_model_alias_history_model_alias" ON "model_alias_history"  ("modelId", "alias", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "model_aliases" ("modelId" uuid NOT NULL, "alias" character varying(256) NOT NULL, "version" integer NOT NULL, "updatedBy" character varying(100) NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_abf7f58ed98ff284973aac74768" PRIMARY KEY ("modelId", "alias"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "model_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "version" integer NOT NULL, "status" character varying(30) NOT NULL DEFAULT 'READY', "description" text NOT NULL DEFAULT '', "metrics" jsonb NOT NULL DEFAULT '{}', "datasetHash" character varying(200), "runId" character varying(200), "parentVersion" integer, "contributionIds" text array NOT NULL DEFAULT '{}', "tags" text array NOT NULL DEFAULT '{}', "features" jsonb, "signature" jsonb NOT NULL, "batching" jsonb, "sha256" character(64) NOT NULL, "sizeBytes" bigint NOT NULL, "artifactKey" character varying(300) NOT NULL, "createdBy" character varying(100) NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_model_versions_model_version" UNIQUE ("modelId", "version"), CONSTRAINT "PK_77c0256872dcc26394dba4b87ec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_model_versions_sha256" ON "model_versions"  ("sha256") `);
    await queryRunner.query(
      `ALTER TABLE "model_alias_history" ADD CONSTRAINT "FK_be7ecf3f78eea5799ffa0f0e51a" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_aliases" ADD CONSTRAINT "FK_6151479d2f123ea04e0e6b59425" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" ADD CONSTRAINT "FK_5442f181d41e1022590b3d32c7e" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "model_versions" DROP CONSTRAINT "FK_5442f181d41e1022590b3d32c7e"`);
    await queryRunner.query(`ALTER TABLE "model_aliases" DROP CONSTRAINT "FK_6151479d2f123ea04e0e6b59425"`);
    await queryRunner.query(`ALTER TABLE "model_alias_history" DROP CONSTRAINT "FK_be7ecf3f78eea5799ffa0f0e51a"`);
    await queryRunner.query(`DROP INDEX "public"."idx_model_versions_sha256"`);
    await queryRunner.query(`DROP TABLE "model_versions"`);
    await queryRunner.query(`DROP TABLE "model_aliases"`);
    await queryRunner.query(`DROP INDEX "public"."idx_model_alias_history_model_alias"`);
    await queryRunner.query(`DROP TABLE "model_alias_history"`);
    await queryRunner.query(`DROP INDEX "public"."idx_models_owner"`);
    await queryRunner.query(`DROP INDEX "public"."uq_models_token_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_models_name"`);
    await queryRunner.query(`DROP TABLE "models"`);
  }
}
