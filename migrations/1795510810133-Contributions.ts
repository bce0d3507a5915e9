import { MigrationInterface, QueryRunner } from 'typeorm';

export class Contributions1795510810133 implements MigrationInterface {
  name = 'Contributions1795510810133';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contributions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "modelOwner" character varying(100) NOT NULL, "owner" character varying(100) NOT NULL, "createdByKeyId" character varying(100) NOT NULL, "walletAddress" character varying(42) NOT NULL, "signatureVerified" boolean NOT NULL DEFAULT false, "status" character varying(30) NOT NULL, "receivedRows" integer NOT NULL DEFAULT '0', "acceptedRows" integer NOT NULL DEFAULT '0', "rejectedRows" integer NOT NULL DEFAULT '0', "duplicateRows" integer NOT NULL DEFAULT '0', "datasetHash" character varying(71), "qualityReport" jsonb, "piiSummary" jsonb, "rowErrors" jsonb, "rejectionCode" character varying(40), "rejectionReason" text, "license" character varying(100), "metadata" jsonb NOT NULL DEFAULT '{}', "receivedAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "validatingAt" TIMESTAMP(3) WITH TIME ZONE, "acceptedAt" TIMESTAMP(3) WITH TIME ZONE, "rejectedAt" TIMESTAMP(3) WITH TIME ZONE, "includedInTrainingAt" TIMESTAMP(3) WITH TIME ZONE, "rewardedAt" TIMESTAMP(3) WITH TIME ZONE, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ca2b4f39eb9e32a61278c711f79" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_contributions_owner" ON "contributions"  ("owner") `);
    await queryRunner.query(
      `CREATE INDEX "idx_contributions_wallet_created" ON "contributions"  ("walletAddress", "createdAt") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contributions_model_created" ON "contributions"  ("modelId", "createdAt") `,
    );
    await queryRunner.query(
      `CREATE TABLE "contribution_rows" ("id" BIGSERIAL NOT NULL, "contributionId" uuid NOT NULL, "modelId" uuid NOT NULL, "rowIndex" integer NOT NULL, "rowHash" character(64) NOT NULL, "data" jsonb NOT NULL, "credited" boolean NOT NULL, "duplicate" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_847a227f516ee848af52e41b3a3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_contribution_rows_model_id" ON "contribution_rows"  ("modelId", "id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_contribution_rows_contribution" ON "contribution_rows"  ("contributionId", "rowIndex") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_contribution_rows_model_hash_credited" ON "contribution_rows"  ("modelId", "rowHash") WHERE "credited"`,
    );
    await queryRunner.query(
      `CREATE TABLE "contribution_settings" ("modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "piiPolicy" character varying(20) NOT NULL DEFAULT 'reject', "minQuality" double precision NOT NULL DEFAULT '0.8', "requireSignature" boolean NOT NULL DEFAULT false, "updatedBy" character varying(100) NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_02ae786754a048a39d1abf52bc7" PRIMARY KEY ("modelId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "contribution_settings"`);
    await queryRunner.query(`DROP INDEX "public"."uq_contribution_rows_model_hash_credited"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contribution_rows_contribution"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contribution_rows_model_id"`);
    await queryRunner.query(`DROP TABLE "contribution_rows"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contributions_model_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contributions_wallet_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contributions_owner"`);
    await queryRunner.query(`DROP TABLE "contributions"`);
  }
}
