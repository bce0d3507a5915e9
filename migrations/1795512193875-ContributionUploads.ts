import { MigrationInterface, QueryRunner } from 'typeorm';

export class ContributionUploads1795512193875 implements MigrationInterface {
  name = 'ContributionUploads1795512193875';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contribution_uploads" ("contributionId" uuid NOT NULL, "format" character varying(10) NOT NULL, "data" bytea NOT NULL, "signature" character varying(132), "signedAt" character varying(40), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_93bba111dfee9513d631d12d956" PRIMARY KEY ("contributionId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "contribution_uploads"`);
  }
}
