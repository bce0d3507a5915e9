import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Contract,
  ContractFactory,
  FetchRequest,
  getAddress,
  isHexString,
  JsonRpcProvider,
  NonceManager,
  Wallet,
} from 'ethers';
import { DataSource, EntityManager } from 'typeorm';
import { chainConfig, DEV_CHAIN_ID, DEV_CHAIN_KEYS } from '../config';
import { MINTER_ARTIFACT, TOKEN_ARTIFACT } from './contract-artifacts';
import { ChainContractEntity } from './chain-contract.entity';
import { ChainError, decodeChainError } from './chain.errors';
import { EmbeddedAnvil } from './embedded-anvil';

const MINTER = 'RewardMinter';
const tokenName = (tokenId: string) => `RewardToken:${tokenId}`;
// A node that never answers must not hold a boot or a job forever.
const RPC_TIMEOUT_MS = 15_000;

export interface MintBatchInput {
  /** The model's token id: its token is deployed first if it does not exist yet. */
  tokenId: string;
  /** 32 bytes (0x + 64 hex): usable once across every token. */
  key: string;
  /** 32 bytes: recorded in the BatchMinted event beside the key. */
  attestationHash: string;
  recipients: string[];
  /** In the token's smallest unit (18 decimals), each > 0. */
  amounts: bigint[];
  /** Called once the transaction is sent, before it is mined (to record its hash). */
  onSent?: (txHash: string) => Promise<void>;
}

export interface MintResult {
  key: string;
  token: string;
  txHash: string;
  blockNumber: number;
  gasUsed: bigint;
  recipients: number;
  total: bigint;
  /** True when the key had been used before: the fields describe that first mint, nothing was sent now. */
  alreadyMinted: boolean;
}

interface Connection {
  provider: JsonRpcProvider;
  signer: NonceManager;
  minter: Contract;
  minterDeployBlock: number;
}

/**
 * The server's chain client: one ethers provider and nonce-managed signer, the RewardMinter deployed once per
 * chain (its address kept in `chain_contracts`) and one RewardToken per model token id, deployed when first
 * needed. With ETH_RPC_URL unset it runs anvil itself (EmbeddedAnvil). An external node that is down at boot
 * does not stop the server: the next call connects again.
 */
@Injectable()
export class ChainService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Chain');
  private anvil?: EmbeddedAnvil;
  private connection?: Promise<Connection>;
  /** Contracts already checked in this process: a mint does not pay a lock and a getCode for its token. */
  private readonly deployed = new Map<string, ChainContractEntity>();

  constructor(
    @Inject(chainConfig.KEY) private readonly config: ConfigType<typeof chainConfig>,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  get enabled(): boolean {
    return this.config.CHAIN_ENABLED;
  }

  get chainId(): number {
    return this.config.CHAIN_ID;
  }

  /** The URL of the node in use (the embedded anvil's once it runs). */
  get rpcUrl(): string | undefined {
    return this.config.ETH_RPC_URL ?? this.anvil?.url;
  }

  /** The embedded anvil's process id while it runs. */
  get embeddedPid(): number | undefined {
    return this.anvil?.pid;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    try {
      if (!this.config.ETH_RPC_URL) {
        this.anvil = new EmbeddedAnvil({
          dir: this.config.EMBEDDED_CHAIN_DIR,
          port: this.config.EMBEDDED_CHAIN_PORT,
          chainId: this.config.CHAIN_ID,
          log: (message) => this.logger.log(message),
        });
        await this.anvil.start();
      }
      await this.ready();
    } catch (err) {
      if (this.config.ETH_RPC_URL && err instanceof ChainError && err.code === 'CHAIN_UNAVAILABLE') {
        this.logger.warn(`${err.detail}; minting waits until the node at ${this.config.ETH_RPC_URL} answers`);
        return;
      }
      // Nest runs no shutdown hook when bootstrap fails: do not leave anvil behind.
      await this.anvil?.stop();
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection.catch(() => undefined))?.provider.destroy();
    await this.anvil?.stop();
  }

  /** Connected, with the minter deployed; connects again after a failure. */
  private ready(): Promise<Connection> {
    if (!this.enabled) {
      return Promise.reject(
        new ChainError('CHAIN_DISABLED', 'the chain client is disabled here (CHAIN_ENABLED=false)'),
      );
    }
    this.connection ??= this.connect().catch((err: unknown) => {
      this.connection = undefined;
      throw decodeChainError(err);
    });
    return this.connection;
  }

  private async connect(): Promise<Connection> {
    const url = this.rpcUrl;
    if (!url) throw new ChainError('CHAIN_UNAVAILABLE', 'the embedded anvil is not running');
    const request = new FetchRequest(url);
    request.timeout = RPC_TIMEOUT_MS;
    const chainId = this.config.CHAIN_ID;
    const provider = new JsonRpcProvider(request, chainId, {
      staticNetwork: true,
      // The default 250 ms cache returns stale nonces on an automining chain.
      cacheTimeout: -1,
      pollingInterval: chainId === DEV_CHAIN_ID ? 50 : 1000,
    });
    try {
      const actual = Number(await provider.send('eth_chainId', []));
      if (actual !== chainId) {
        throw new ChainError('CHAIN_ID_MISMATCH', `the node at ${url} is chain ${actual}, CHAIN_ID is ${chainId}`);
      }
      const key = this.config.MINTER_PRIVATE_KEY ?? DEV_CHAIN_KEYS[0];
      const signer = new NonceManager(new Wallet(key, provider));
      const record = await this.deployOnce(provider, MINTER, async () => {
        const factory = new ContractFactory(MINTER_ARTIFACT.abi, MINTER_ARTIFACT.bytecode, signer);
        const address = await signer.getAddress();
        return factory.deploy(address, address);
      });
      const minter = new Contract(record.address, MINTER_ARTIFACT.abi, signer);
      const operator = (await minter.hasRole(await minter.OPERATOR_ROLE(), await signer.getAddress())) as boolean;
      this.logger.log(
        `chain ${chainId} at ${url}: RewardMinter ${record.address}, signer ${await signer.getAddress()}`,
      );
      if (!operator) {
        this.logger.warn(
          `the signer ${await signer.getAddress()} lacks OPERATOR_ROLE on ${record.address}: mints fail`,
        );
      }
      return { provider, signer, minter, minterDeployBlock: record.deployBlock };
    } catch (err) {
      provider.destroy();
      throw err;
    }
  }

  /**
   * The recorded contract, or a new deployment recorded under an advisory lock, so that replicas booting at
   * once deploy it once. A recorded address without code is a chain that lost its state: the embedded one is
   * redeployed (a dev reset), an external one is an error someone must look at.
   */
  private deployOnce(
    provider: JsonRpcProvider,
    name: string,
    deploy: () => Promise<Awaited<ReturnType<ContractFactory['deploy']>>>,
  ): Promise<ChainContractEntity> {
    const chainId = this.config.CHAIN_ID;
    const known = this.deployed.get(name);
    if (known) return Promise.resolve(known);
    return this.db.transaction(async (em: EntityManager) => {
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`chain_contracts:${chainId}:${name}`]);
      const repo = em.getRepository(ChainContractEntity);
      const found = await repo.findOneBy({ chainId, name });
      if (found) {
        if ((await provider.getCode(found.address)) !== '0x') {
          this.deployed.set(name, found);
          return found;
        }
        if (this.config.ETH_RPC_URL) {
          throw new ChainError(
            'CONTRACT_MISSING',
            `${name} recorded at ${found.address} has no code on chain ${chainId}`,
          );
        }
        this.logger.warn(`${name} at ${found.address} is gone from the embedded chain (state reset): deploying again`);
        await repo.delete({ chainId, name });
      }
      const contract = await deploy();
      const tx = contract.deploymentTransaction()!;
      const receipt = (await tx.wait())!;
      const saved = await repo.save(
        repo.create({
          chainId,
          name,
          address: await contract.getAddress(),
          deployTxHash: tx.hash,
          deployBlock: receipt.blockNumber,
        }),
      );
      this.logger.log(`deployed ${name} at ${saved.address} on chain ${chainId} (block ${saved.deployBlock})`);
      this.deployed.set(name, saved);
      return saved;
    });
  }

  async minterAddress(): Promise<string> {
    return (await this.ready()).minter.getAddress();
  }

  async signerAddress(): Promise<string> {
    return (await this.ready()).signer.getAddress();
  }

  /** The token of a model token id, or undefined when it was never deployed on this chain. */
  async tokenAddress(tokenId: string): Promise<string | undefined> {
    const found = await this.db
      .getRepository(ChainContractEntity)
      .findOneBy({ chainId: this.config.CHAIN_ID, name: tokenName(tokenId) });
    return found?.address;
  }

  /** The token of a model token id (symbol = tokenId, 18 decimals), deployed now if it does not exist. */
  async ensureToken(tokenId: string, name = `DeltaOne ${tokenId}`): Promise<string> {
    const { provider, signer, minter } = await this.ready();
    const minterAddress = await minter.getAddress();
    const record = await this.deployOnce(provider, tokenName(tokenId), async () => {
      const factory = new ContractFactory(TOKEN_ARTIFACT.abi, TOKEN_ARTIFACT.bytecode, signer);
      return factory.deploy(name, tokenId, await signer.getAddress(), minterAddress);
    }).catch((err: unknown) => {
      signer.reset();
      throw decodeChainError(err);
    });
    return record.address;
  }

  /** The token balance of a wallet in the smallest unit; 0 when the model's token does not exist yet. */
  async balanceOf(tokenId: string, wallet: string): Promise<bigint> {
    const { provider } = await this.ready();
    const token = await this.tokenAddress(tokenId);
    if (!token) return 0n;
    try {
      return (await new Contract(token, TOKEN_ARTIFACT.abi, provider).balanceOf(getAddress(wallet))) as bigint;
    } catch (err) {
      throw decodeChainError(err);
    }
  }

  async isKeyUsed(key: string): Promise<boolean> {
    assertBytes32('key', key);
    const { minter } = await this.ready();
    try {
      return (await minter.usedKeys(key)) as boolean;
    } catch (err) {
      throw decodeChainError(err);
    }
  }

  /** Blocks mined on top of `blockNumber`, counting its own (1 = just mined). */
  async confirmations(blockNumber: number): Promise<number> {
    const { provider } = await this.ready();
    return Math.max(0, (await provider.getBlockNumber()) - blockNumber + 1);
  }

  /** The mint recorded on chain under `key` (from its BatchMinted event), or undefined when the key is unused. */
  async findMint(key: string): Promise<MintResult | undefined> {
    assertBytes32('key', key);
    const { provider, minter, minterDeployBlock } = await this.ready();
    try {
      const events = await minter.queryFilter(minter.filters.BatchMinted(key), minterDeployBlock);
      const event = events[0];
      if (!event || !('args' in event)) return undefined;
      const receipt = await provider.getTransactionReceipt(event.transactionHash);
      return {
        key,
        token: event.args.token as string,
        txHash: event.transactionHash,
        blockNumber: event.blockNumber,
        gasUsed: receipt?.gasUsed ?? 0n,
        recipients: Number(event.args.recipients),
        total: event.args.total as bigint,
        alreadyMinted: true,
      };
    } catch (err) {
      throw decodeChainError(err);
    }
  }

  /**
   * Mints a batch once per key. A key already used answers that first mint (`alreadyMinted: true`) when it
   * paid the same token, number of wallets and total, and KEY_ALREADY_USED otherwise; it is checked with a
   * static call before sending and again after a failed send (another replica may have won the race).
   */
  async mintBatch(input: MintBatchInput): Promise<MintResult> {
    const { key, attestationHash, amounts } = input;
    assertBytes32('key', key);
    assertBytes32('attestationHash', attestationHash);
    if (input.recipients.length !== amounts.length) {
      throw new ChainError('LENGTH_MISMATCH', `${input.recipients.length} recipients but ${amounts.length} amounts`);
    }
    if (amounts.length === 0) throw new ChainError('EMPTY_BATCH', 'a mint needs at least one recipient');
    const recipients = input.recipients.map((wallet) => {
      try {
        return getAddress(wallet);
      } catch {
        throw new ChainError('INVALID_RECIPIENT', `${wallet} is not an Ethereum address`);
      }
    });
    if (amounts.some((a) => a <= 0n)) throw new ChainError('INVALID_AMOUNT', 'every amount must be above zero');
    const total = amounts.reduce((sum, a) => sum + a, 0n);

    const token = await this.ensureToken(input.tokenId);
    const { signer, minter } = await this.ready();
    const wanted = { key, token, recipients: recipients.length, total };
    const args = [token, key, attestationHash, recipients, amounts] as const;
    try {
      await minter.mintBatch.staticCall(...args);
    } catch (err) {
      return this.firstMintOrThrow(decodeChainError(err), wanted);
    }
    try {
      const tx = (await minter.mintBatch(...args)) as { hash: string; wait: () => Promise<unknown> };
      await input.onSent?.(tx.hash);
      const receipt = (await tx.wait()) as { blockNumber: number; gasUsed: bigint };
      return {
        ...wanted,
        txHash: tx.hash,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        alreadyMinted: false,
      };
    } catch (err) {
      // A failed send leaves the nonce manager counting a transaction that may never have been mined.
      signer.reset();
      const decoded = decodeChainError(err);
      // A mined revert carries no reason: if the key is used now, another replica's mint won the race.
      const racedOut =
        (!(decoded instanceof ChainError) || decoded.code === 'TRANSACTION_REVERTED') &&
        (await this.isKeyUsed(key).catch(() => false));
      return this.firstMintOrThrow(
        racedOut ? new ChainError('KEY_ALREADY_USED', `key ${key} was used meanwhile`) : decoded,
        wanted,
      );
    }
  }

  /** KEY_ALREADY_USED for the same batch (token, number of wallets, total) answers the first mint; else throws. */
  private async firstMintOrThrow(
    err: unknown,
    wanted: { key: string; token: string; recipients: number; total: bigint },
  ): Promise<MintResult> {
    if (!(err instanceof ChainError) || err.code !== 'KEY_ALREADY_USED') throw err;
    const first = await this.findMint(wanted.key);
    const same =
      first &&
      first.token.toLowerCase() === wanted.token.toLowerCase() &&
      first.recipients === wanted.recipients &&
      first.total === wanted.total;
    if (same) return first;
    throw new ChainError('KEY_ALREADY_USED', `key ${wanted.key} already paid a different batch`, {
      first: first && {
        txHash: first.txHash,
        token: first.token,
        recipients: first.recipients,
        total: String(first.total),
      },
    });
  }
}

function assertBytes32(field: string, value: string): void {
  if (!isHexString(value, 32))
    throw new ChainError('INVALID_ARGUMENT', `${field} must be 32 bytes (0x + 64 hex digits)`);
}
