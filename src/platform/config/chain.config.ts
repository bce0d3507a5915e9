import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { defineConfig, emptyToUndefined, Secret, toBool, toInt } from './config.schema';

/**
 * The private keys of anvil's ten funded development accounts (the public "test ... junk" mnemonic). They are
 * known to everyone, so they are accepted on the local development chain id only.
 */
export const DEV_CHAIN_KEYS: readonly string[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
];
export const DEV_CHAIN_ID = 31337;

/** The EVM chain that holds the model tokens: an external JSON-RPC node, or anvil run by the server. */
export class ChainEnvironment {
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  CHAIN_ENABLED = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http:// or https:// JSON-RPC URL' })
  ETH_RPC_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer chain id' })
  @Min(1, { message: 'must be a positive integer chain id' })
  CHAIN_ID = DEV_CHAIN_ID;

  @Secret()
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^0x[0-9a-fA-F]{64}$/, { message: 'must be a private key: 0x and 64 hex digits' })
  MINTER_PRIVATE_KEY?: string;

  /**
   * The key that signs DeltaOne attestations (EIP-712). Unset: MINTER_PRIVATE_KEY, else (embedded chain 31337)
   * the first development key, so a local server attests with no setup.
   */
  @Secret()
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^0x[0-9a-fA-F]{64}$/, { message: 'must be a private key: 0x and 64 hex digits' })
  ATTESTER_PRIVATE_KEY?: string;

  /** Blocks on top of a mint (its own included) before its reward is confirmed and its contributions rewarded. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer of at least 1' })
  @Min(1, { message: 'must be an integer of at least 1' })
  REWARD_CONFIRMATIONS = 1;

  @IsString()
  @MinLength(1)
  EMBEDDED_CHAIN_DIR = '.data/anvil';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number between 0 and 65535 (0: any free port)' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535 (0: any free port)' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535 (0: any free port)' })
  EMBEDDED_CHAIN_PORT = 0;
}

function checkChain(c: ChainEnvironment): string[] {
  if (!c.CHAIN_ENABLED) return [];
  const problems: string[] = [];
  if (c.ETH_RPC_URL && !c.MINTER_PRIVATE_KEY) {
    problems.push('MINTER_PRIVATE_KEY is required when ETH_RPC_URL is set (the key that deploys and mints)');
  }
  if (
    c.MINTER_PRIVATE_KEY &&
    c.CHAIN_ID !== DEV_CHAIN_ID &&
    DEV_CHAIN_KEYS.includes(c.MINTER_PRIVATE_KEY.toLowerCase())
  ) {
    problems.push(
      `MINTER_PRIVATE_KEY is a well-known development key, refused on chain id ${c.CHAIN_ID} (only on ${DEV_CHAIN_ID})`,
    );
  }
  if (
    c.ATTESTER_PRIVATE_KEY &&
    c.CHAIN_ID !== DEV_CHAIN_ID &&
    DEV_CHAIN_KEYS.includes(c.ATTESTER_PRIVATE_KEY.toLowerCase())
  ) {
    problems.push(
      `ATTESTER_PRIVATE_KEY is a well-known development key, refused on chain id ${c.CHAIN_ID} (only on ${DEV_CHAIN_ID})`,
    );
  }
  return problems;
}

/** The attester key in use: its own, else the minter's, else (development chain only) the first dev key. */
export function attesterKey(c: ChainEnvironment): string | undefined {
  const key = c.ATTESTER_PRIVATE_KEY ?? c.MINTER_PRIVATE_KEY;
  if (key) return key;
  return c.CHAIN_ID === DEV_CHAIN_ID ? DEV_CHAIN_KEYS[0] : undefined;
}

export const chainConfig = defineConfig('chain', ChainEnvironment, checkChain);
