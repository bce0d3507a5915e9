import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChainContracts1796549279527 implements MigrationInterface {
  name = 'ChainContracts1796549279527';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "chain_contracts" ("chainId" integer NOT NULL, "name" character varying(140) NOT NULL, "address" character varying(42) NOT NULL, "deployTxHash" character varying(66) NOT NULL, "deployBlock" bigint NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_chain_contracts" PRIMARY KEY ("chainId", "name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "chain_contracts"`);
  }
}
