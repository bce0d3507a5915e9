import { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1795505376169 implements MigrationInterface {
  name = 'Events1795505376169';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "events" ("id" character varying(40) NOT NULL, "type" character varying(100) NOT NULL, "data" jsonb NOT NULL, "modelName" character varying(100), "owner" character varying(100), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "dispatchedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_events_type" ON "events"  ("type") `);
    await queryRunner.query(
      `CREATE INDEX "idx_events_undispatched" ON "events"  ("createdAt") WHERE "dispatchedAt" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_events_undispatched"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_type"`);
    await queryRunner.query(`DROP TABLE "events"`);
  }
}
