import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1796546220833 implements MigrationInterface {
  name = 'AuditLog1796546220833';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("seq" bigint NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "actorKeyId" uuid, "actorKeyPrefix" character varying(16), "actorOwner" character varying(100), "action" character varying(100) NOT NULL, "targetType" character varying(50) NOT NULL, "targetId" character varying(300) NOT NULL, "targetOwner" character varying(100), "requestId" character varying(128), "clientIp" character varying(64), "outcome" character varying(32) NOT NULL, "changes" jsonb, "prevHash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_ce5b9b7d945cab0a6c604bafd9e" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_log_created_at" ON "audit_log"  ("createdAt") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_log_action" ON "audit_log"  ("action", "seq") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_log_target" ON "audit_log"  ("targetType", "targetId", "seq") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_log_target_owner" ON "audit_log"  ("targetOwner", "seq") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_log_actor_owner" ON "audit_log"  ("actorOwner", "seq") `);
    // Append-only: the log's rows can be inserted, never changed or removed (a superuser can still disable the
    // triggers; the hash chain is what makes such an edit visible to GET /api/v1/audit/verify).
    await queryRunner.query(`CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_log_no_truncate" ON "audit_log"`);
    await queryRunner.query(`DROP TRIGGER "audit_log_append_only" ON "audit_log"`);
    await queryRunner.query(`DROP FUNCTION audit_log_refuse_change()`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_actor_owner"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_target_owner"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_target"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_action"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_created_at"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}
