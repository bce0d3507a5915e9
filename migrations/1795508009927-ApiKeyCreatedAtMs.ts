import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeyCreatedAtMs1795508009927 implements MigrationInterface {
  name = 'ApiKeyCreatedAtMs1795508009927';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" ALTER COLUMN "createdAt" TYPE TIMESTAMP(3) WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" ALTER COLUMN "createdAt" TYPE TIMESTAMP(6) WITH TIME ZONE`);
  }
}
