import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795505152999 implements MigrationInterface {
  name = 'Init1795505152999';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "owner" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "hash" character(64) NOT NULL, "scopes" text array NOT NULL, "bootstrap" boolean NOT NULL DEFAULT false, "createdByKeyId" uuid, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expiresAt" TIMESTAMP WITH TIME ZONE, "lastUsedAt" TIMESTAMP WITH TIME ZONE, "revokedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_api_keys_owner" ON "api_keys"  ("owner") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys"  ("hash") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_bootstrap" ON "api_keys"  ("bootstrap") WHERE bootstrap`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_bootstrap"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_hash"`);
    await queryRunner.query(`DROP INDEX "public"."idx_api_keys_owner"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
