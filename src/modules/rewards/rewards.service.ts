import { Injectable, Logger } from '@nestjs/common';
import { getAddress } from 'ethers';
import { canSee, RegistryService } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { ChainService } from 'src/platform/chain';
import { TxHost } from 'src/platform/database';
import { Page, PageQueryDto, paginate } from 'src/platform/http';
import { ATTESTATION_TYPES, attestationDomain, SignedAttestation } from './attestation';
import { RewardEntity } from './reward.entity';
import { RewardsError } from './rewards.errors';

export interface TokenBalance {
  tokenId: string;
  tokenAddress: string | null;
  balance: string | null;
  rewarded: string;
}

export interface Attestation extends SignedAttestation {
  evaluationId: string;
  rewardId: string;
  document: Record<string, unknown>;
  attestationHash: string;
  mintKey: string;
}

/** Reading rewards: a reward is visible to whoever may see its model (public models: every key). */
@Injectable()
export class RewardsService {
  private readonly logger = new Logger('Rewards');

  constructor(
    private readonly txHost: TxHost,
    private readonly registry: RegistryService,
    private readonly chain: ChainService,
  ) {}

  async get(principal: Principal, id: string): Promise<RewardEntity> {
    const reward = await this.repo().findOneBy({ id });
    if (!reward || !(await this.visible(principal, reward))) {
      throw new RewardsError('REWARD_NOT_FOUND', `No reward ${id}.`);
    }
    return reward;
  }

  async listForModel(principal: Principal, name: string, query: PageQueryDto): Promise<Page<RewardEntity>> {
    const model = await this.registry.getModel(name, principal);
    return paginate(this.repo().createQueryBuilder('r').where('r.modelId = :id', { id: model.id }), 'r', query);
  }

  async listForWallet(
    principal: Principal,
    walletAddress: string,
    query: PageQueryDto,
  ): Promise<{ walletAddress: string; balances: TokenBalance[] } & Page<RewardEntity>> {
    const wallet = checksum(walletAddress);
    const qb = this.repo()
      .createQueryBuilder('r')
      .innerJoin('models', 'm', 'm.id = r."modelId"')
      .where(':wallet = ANY(r.wallets)', { wallet: wallet.toLowerCase() });
    if (!principal.isAdmin) qb.andWhere(`(m.visibility = 'public' OR m.owner = :owner)`, { owner: principal.owner });
    const page = await paginate(qb, 'r', query);
    return { walletAddress: wallet, balances: await this.balances(principal, wallet), ...page };
  }

  async attestation(principal: Principal, evaluationId: string): Promise<Attestation> {
    const r = await this.repo().findOneBy({ evaluationId });
    if (!r || !(await this.visible(principal, r))) {
      throw new RewardsError('ATTESTATION_NOT_FOUND', `No attestation for evaluation ${evaluationId}.`);
    }
    return {
      evaluationId: r.evaluationId,
      rewardId: r.id,
      document: r.attestation,
      attestationHash: r.attestationHash,
      mintKey: r.mintKey,
      domain: attestationDomain(r.chainId),
      types: ATTESTATION_TYPES,
      value: {
        evaluationId: r.evaluationId,
        modelId: r.modelId,
        attestationHash: r.attestationHash,
        mintKey: r.mintKey,
      },
      signature: r.signature,
      signer: r.signer,
    };
  }

  /** Per token the wallet was rewarded in: the confirmed sum here and the live balance on chain. */
  private async balances(principal: Principal, wallet: string): Promise<TokenBalance[]> {
    const rows = await this.txHost.tx.query<Array<{ tokenId: string; tokenAddress: string | null; rewarded: string }>>(
      `SELECT r."tokenId", max(r."tokenAddress") AS "tokenAddress",
              COALESCE(sum((x->>'amount')::numeric) FILTER (WHERE r.status = 'confirmed'), 0)::text AS rewarded
         FROM rewards r
         JOIN models m ON m.id = r."modelId"
         CROSS JOIN LATERAL jsonb_array_elements(r.recipients) x
        WHERE $1 = ANY(r.wallets) AND lower(x->>'walletAddress') = $1
          AND ($2 OR m.visibility = 'public' OR m.owner = $3)
        GROUP BY r."tokenId" ORDER BY r."tokenId"`,
      [wallet.toLowerCase(), principal.isAdmin, principal.owner],
    );
    return Promise.all(
      rows.map(async (row) => {
        let balance: string | null = null;
        if (this.chain.enabled) {
          try {
            balance = String(await this.chain.balanceOf(row.tokenId, wallet));
          } catch (err) {
            this.logger.warn(`balance of ${wallet} in ${row.tokenId} unavailable: ${(err as Error).message}`);
          }
        }
        return { ...row, balance };
      }),
    );
  }

  private async visible(principal: Principal, reward: RewardEntity): Promise<boolean> {
    const access = await this.registry.access(reward.modelName);
    return !!access && canSee(access, principal);
  }

  private repo() {
    return this.txHost.tx.getRepository(RewardEntity);
  }
}

function checksum(walletAddress: string): string {
  try {
    if (!/^0x[0-9a-fA-F]{40}$/.test(walletAddress)) throw new Error('format');
    return getAddress(walletAddress);
  } catch {
    throw RewardsError.field(
      'INVALID_WALLET',
      'walletAddress',
      'walletAddress must be a 0x address of 40 hex digits, with a valid EIP-55 checksum when mixed case',
    );
  }
}
