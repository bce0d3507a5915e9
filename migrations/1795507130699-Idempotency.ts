import { MigrationInterface, QueryRunner } from 'typeorm';

export class Idempotency1795507130699 implements MigrationInterface {
  name = 'Idempotency1795507130699';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("owner" character varying(100) NOT NULL, "key" character varying(255) NOT NULL, "route" character varying(300) NOT NULL, "requestHash" character(64) NOT NULL, "state" character varying(16) NOT NULL, "responseStatus" integer, "responseBody" jsonb, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f796aec32cfd80b443f883257a6" PRIMARY KEY ("owner", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_idempotency_keys_expires" ON "idempotency_keys"  ("expiresAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_idempotency_keys_expires"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
