import { MigrationInterface, QueryRunner } from 'typeorm';

export class Rewards1796554878394 implements MigrationInterface {
  name = 'Rewards1796554878394';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rewards" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "evaluationId" uuid NOT NULL, "modelId" uuid NOT NULL, "modelName" character varying(100) NOT NULL, "modelOwner" character varying(100) NOT NULL, "tokenId" character varying(20) NOT NULL, "status" character varying(20) NOT NULL, "reason" character varying(40), "deltaBps" integer NOT NULL, "total" numeric(78,0) NOT NULL, "wanted" numeric(78,0) NOT NULL, "recipients" jsonb NOT NULL, "wallets" text array NOT NULL, "attestation" jsonb NOT NULL, "attestationHash" character(66) NOT NULL, "signature" character varying(132) NOT NULL, "signer" character varying(42) NOT NULL, "chainId" integer NOT NULL, "mintKey" character(66) NOT NULL, "tokenAddress" character varying(42), "txHash" character varying(66), "blockNumber" integer, "confirmations" integer, "failureReason" text, "attempts" integer NOT NULL DEFAULT '0', "confirmedAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3d947441a48debeb9b7366f8b8c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rewards_evaluation" ON "rewards"  ("evaluationId") `);
    await queryRunner.query(`CREATE INDEX "idx_rewards_model_created" ON "rewards"  ("modelId", "createdAt") `);
    // A contributor's history (GET /contributors/{wallet}/rewards): not expressible in the entity.
    await queryRunner.query(`CREATE INDEX "idx_rewards_wallets" ON "rewards" USING gin ("wallets")`);
    await queryRunner.query(
      `CREATE TABLE "reward_settings" ("modelId" uuid NOT NULL, "tokensPerDeltaOne" numeric(78,0) NOT NULL, "maxReward" numeric(78,0) NOT NULL, "budget" numeric(78,0) NOT NULL, "paused" boolean NOT NULL DEFAULT false, "updatedBy" character varying(100) NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ea356b77b39fe1c918d055f75a7" PRIMARY KEY ("modelId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reward_settings"`);
    await queryRunner.query(`DROP INDEX "public"."idx_rewards_wallets"`);
    await queryRunner.query(`DROP INDEX "public"."idx_rewards_model_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rewards_evaluation"`);
    await queryRunner.query(`DROP TABLE "rewards"`);
  }
}
