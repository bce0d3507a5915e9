import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

const bigintAsNumber = {
  to: (v: number) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

/**
 * A contract the server deployed, per chain: the minter (`RewardMinter`) and one token per model token id
 * (`RewardToken:<tokenId>`). Keyed by chain id so that pointing the server at another chain deploys afresh
 * instead of trusting addresses that mean nothing there.
 */
@Entity('chain_contracts')
export class ChainContractEntity {
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_chain_contracts' })
  chainId: number;

  @PrimaryColumn({ type: 'varchar', length: 140, primaryKeyConstraintName: 'PK_chain_contracts' })
  name: string;

  @Column({ type: 'varchar', length: 42 })
  address: string;

  @Column({ type: 'varchar', length: 66 })
  deployTxHash: string;

  /** Where to start looking for the minter's events (a reused key's first mint). */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  deployBlock: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
