import { MigrationInterface, QueryRunner } from 'typeorm';

export class Retention1796546062540 implements MigrationInterface {
  name = 'Retention1796546062540';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "retention_runs" ("day" date NOT NULL, "scheduledFor" TIMESTAMP WITH TIME ZONE NOT NULL, "startedAt" TIMESTAMP WITH TIME ZONE, "finishedAt" TIMESTAMP WITH TIME ZONE, "deleted" jsonb, CONSTRAINT "PK_1701b95527634006f02dd819d2a" PRIMARY KEY ("day"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_events_dispatched" ON "events"  ("createdAt") WHERE "dispatchedAt" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_finished" ON "webhook_deliveries"  ("updatedAt") WHERE "status" IN ('delivered', 'failed')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_finished"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_dispatched"`);
    await queryRunner.query(`DROP TABLE "retention_runs"`);
  }
}
