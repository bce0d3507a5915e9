import type { JsonFragment } from 'ethers';
import artifacts from './artifacts.json';

/** Written by `npm run contracts:build` from contracts/*.sol; `npm run contracts:check` fails when it is stale. */
export interface ContractArtifact {
  abi: JsonFragment[];
  bytecode: string;
}

const contracts = artifacts.contracts as unknown as Record<'RewardToken' | 'RewardMinter', ContractArtifact>;

export const TOKEN_ARTIFACT = contracts.RewardToken;
export const MINTER_ARTIFACT = contracts.RewardMinter;
export const TOKEN_ABI: JsonFragment[] = TOKEN_ARTIFACT.abi;
export const MINTER_ABI: JsonFragment[] = MINTER_ARTIFACT.abi;
