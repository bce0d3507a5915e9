import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1795506840739 implements MigrationInterface {
  name = 'Webhooks1795506840739';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner" character varying(100) NOT NULL, "allOwners" boolean NOT NULL DEFAULT false, "url" character varying(2048) NOT NULL, "description" character varying(500) NOT NULL DEFAULT '', "eventTypes" text array NOT NULL, "modelNames" text array, "enabled" boolean NOT NULL DEFAULT true, "disabledAt" TIMESTAMP WITH TIME ZONE, "disabledReason" character varying(20), "secret" text NOT NULL, "previousSecret" text, "previousSecretExpiresAt" TIMESTAMP WITH TIME ZONE, "breakerState" character varying(10) NOT NULL DEFAULT 'closed', "consecutiveFailures" integer NOT NULL DEFAULT '0', "breakerTrips" integer NOT NULL DEFAULT '0', "breakerRetryAt" TIMESTAMP WITH TIME ZONE, "failingSince" TIMESTAMP WITH TIME ZONE, "lastSuccessAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_webhook_endpoints_owner" ON "webhook_endpoints"  ("owner") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "messageId" character varying(40) NOT NULL, "endpointId" uuid NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "nextAttemptAt" TIMESTAMP WITH TIME ZONE NOT NULL, "leaseToken" uuid, "leaseExpiresAt" TIMESTAMP WITH TIME ZONE, "lastAttemptAt" TIMESTAMP WITH TIME ZONE, "lastStatusCode" integer, "lastError" character varying(500), "deliveredAt" TIMESTAMP WITH TIME ZONE, "replays" integer NOT NULL DEFAULT '0', "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_endpoint" ON "webhook_deliveries"  ("endpointId", "createdAt") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_leased" ON "webhook_deliveries"  ("leaseExpiresAt") WHERE "status" = 'in_flight'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_due" ON "webhook_deliveries"  ("nextAttemptAt") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_webhook_deliveries_message_endpoint" ON "webhook_deliveries"  ("messageId", "endpointId") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_attempts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "deliveryId" uuid NOT NULL, "attempt" integer NOT NULL, "startedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "durationMs" integer NOT NULL, "outcome" character varying(20) NOT NULL, "statusCode" integer, "error" character varying(500), "responseBody" text, CONSTRAINT "PK_2de7e7887ad97de459adab62638" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_attempts_delivery" ON "webhook_attempts"  ("deliveryId", "startedAt") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_149f8f2e91f1eb550abcb4a4da3" FOREIGN KEY ("messageId") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_9f63fc91ff6cbd3f8238b9a7812" FOREIGN KEY ("endpointId") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_attempts" ADD CONSTRAINT "FK_62224942858bc1f0d1bc7fe74e1" FOREIGN KEY ("deliveryId") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_attempts" DROP CONSTRAINT "FK_62224942858bc1f0d1bc7fe74e1"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_9f63fc91ff6cbd3f8238b9a7812"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_149f8f2e91f1eb550abcb4a4da3"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_attempts_delivery"`);
    await queryRunner.query(`DROP TABLE "webhook_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."uq_webhook_deliveries_message_endpoint"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_leased"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_endpoint"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_endpoints_owner"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
