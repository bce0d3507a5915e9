import { Contract, Wallet, JsonRpcProvider, id, parseUnits } from 'ethers';
import { DataSource } from 'typeorm';
import { ChainContractEntity, ChainError, ChainService, decodeChainError } from 'src/platform/chain';
import { MINTER_ARTIFACT, TOKEN_ARTIFACT } from 'src/platform/chain/contract-artifacts';
import { chainEnv, describeWithChain, OUTSIDER_KEY, TEST_ETH_RPC_URL } from '../support/chain';
import { createTestApp, TestApp } from '../support/test-app';

const wallets = (n: number) => Array.from({ length: n }, () => Wallet.createRandom().address);
const key = (label: string) => id(`${label}:${Math.random()}`);
const tokens = (n: string) => parseUnits(n, 18);

describeWithChain('chain on a JSON-RPC node', () => {
  let t: TestApp;
  let chain: ChainService;

  beforeAll(async () => {
    t = await createTestApp({ env: chainEnv() });
    chain = t.app.get(ChainService);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('should deploy the minter once and reuse it when a second replica boots on the same database', async () => {
    const b = await createTestApp({ env: chainEnv(), databaseUrl: t.databaseUrl });
    try {
      expect(await b.app.get(ChainService).minterAddress()).toBe(await chain.minterAddress());
      const rows = await t.app.get(DataSource).getRepository(ChainContractEntity).findBy({ name: 'RewardMinter' });
      expect(rows).toHaveLength(1);
    } finally {
      await b.app.close();
    }
  });

  it('should deploy one token per model token id with that symbol when it is first needed', async () => {
    expect(await chain.tokenAddress('ALPHA')).toBeUndefined();
    const address = await chain.ensureToken('ALPHA');
    expect(await chain.ensureToken('ALPHA')).toBe(address);
    expect(await chain.ensureToken('BETA')).not.toBe(address);
    const token = new Contract(
      address,
      TOKEN_ARTIFACT.abi,
      new JsonRpcProvider(TEST_ETH_RPC_URL, 31337, { staticNetwork: true }),
    );
    expect(await token.symbol()).toBe('ALPHA');
    expect(await token.decimals()).toBe(18n);
    (token.runner as JsonRpcProvider).destroy();
  });

  it('should credit each of three wallets its amount when a batch is minted with a new key', async () => {
    const to = wallets(3);
    const amounts = [tokens('1.5'), tokens('2'), 7n];
    const result = await chain.mintBatch({
      tokenId: 'GAMMA',
      key: key('a'),
      attestationHash: id('att'),
      recipients: to,
      amounts,
    });
    expect(result).toMatchObject({ alreadyMinted: false, recipients: 3, total: tokens('3.5') + 7n });
    expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(result.gasUsed).toBeGreaterThan(0n);
    expect(await chain.confirmations(result.blockNumber)).toBeGreaterThanOrEqual(1);
    for (const [i, wallet] of to.entries()) expect(await chain.balanceOf('GAMMA', wallet)).toBe(amounts[i]);
  });

  it('should mint once and answer the first mint when the same key is minted twice', async () => {
    const to = wallets(2);
    const input = {
      tokenId: 'DELTA',
      key: key('twice'),
      attestationHash: id('att'),
      recipients: to,
      amounts: [5n, 6n],
    };
    const first = await chain.mintBatch(input);
    const second = await chain.mintBatch(input);
    expect(second).toEqual({ ...first, alreadyMinted: true });
    expect(await chain.balanceOf('DELTA', to[0])).toBe(5n);
    expect(await chain.isKeyUsed(input.key)).toBe(true);
    expect(await chain.findMint(input.key)).toEqual(second);
  });

  it('should mint once when the same key is minted twice at the same time', async () => {
    const to = wallets(1);
    const input = { tokenId: 'DELTA', key: key('race'), attestationHash: id('att'), recipients: to, amounts: [9n] };
    const [a, b] = await Promise.all([chain.mintBatch(input), chain.mintBatch(input)]);
    expect(a.txHash).toBe(b.txHash);
    expect([a.alreadyMinted, b.alreadyMinted].sort()).toEqual([false, true]);
    expect(await chain.balanceOf('DELTA', to[0])).toBe(9n);
  });

  it('should refuse with KEY_ALREADY_USED when a used key is asked to pay a different batch', async () => {
    const k = key('other');
    await chain.mintBatch({
      tokenId: 'DELTA',
      key: k,
      attestationHash: id('att'),
      recipients: wallets(1),
      amounts: [1n],
    });
    await expect(
      chain.mintBatch({ tokenId: 'DELTA', key: k, attestationHash: id('att'), recipients: wallets(1), amounts: [2n] }),
    ).rejects.toMatchObject({ code: 'KEY_ALREADY_USED' });
  });

  it('should find nothing when a key was never used', async () => {
    const k = key('unused');
    expect(await chain.isKeyUsed(k)).toBe(false);
    expect(await chain.findMint(k)).toBeUndefined();
  });

  it('should refuse an outsider without the operator or minter role with a decoded NOT_AUTHORIZED', async () => {
    const token = await chain.ensureToken('EPSILON');
    const provider = new JsonRpcProvider(TEST_ETH_RPC_URL, 31337, { staticNetwork: true, cacheTimeout: -1 });
    const outsider = new Wallet(OUTSIDER_KEY, provider);
    try {
      const minter = new Contract(await chain.minterAddress(), MINTER_ARTIFACT.abi, outsider);
      const viaMinter = await minter.mintBatch
        .staticCall(token, key('x'), id('att'), [outsider.address], [1n])
        .catch((e: unknown) => decodeChainError(e));
      expect(viaMinter).toBeInstanceOf(ChainError);
      expect(viaMinter).toMatchObject({ code: 'NOT_AUTHORIZED', extra: { revert: { account: outsider.address } } });
      const direct = await new Contract(token, TOKEN_ARTIFACT.abi, outsider).mint
        .staticCall(outsider.address, 1n)
        .catch((e: unknown) => decodeChainError(e));
      expect(direct).toMatchObject({ code: 'NOT_AUTHORIZED' });
    } finally {
      provider.destroy();
    }
  });

  it('should refuse mismatched or empty batches and zero amounts before sending when called', async () => {
    const base = { tokenId: 'DELTA', key: key('bad'), attestationHash: id('att') };
    await expect(chain.mintBatch({ ...base, recipients: wallets(2), amounts: [1n] })).rejects.toMatchObject({
      code: 'LENGTH_MISMATCH',
    });
    await expect(chain.mintBatch({ ...base, recipients: [], amounts: [] })).rejects.toMatchObject({
      code: 'EMPTY_BATCH',
    });
    await expect(chain.mintBatch({ ...base, recipients: wallets(1), amounts: [0n] })).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
    });
    await expect(chain.mintBatch({ ...base, recipients: ['0x12'], amounts: [1n] })).rejects.toMatchObject({
      code: 'INVALID_RECIPIENT',
    });
    expect(await chain.isKeyUsed(base.key)).toBe(false);
  });

  it('should spend under 30,000 gas a recipient when a batch pays 100 new wallets', async () => {
    const to = wallets(100);
    const result = await chain.mintBatch({
      tokenId: 'ZETA',
      key: key('hundred'),
      attestationHash: id('att'),
      recipients: to,
      amounts: to.map(() => tokens('1')),
    });
    expect(result.gasUsed / 100n).toBeLessThan(30_000n);
  });
});

describeWithChain('chain client when its node is down', () => {
  it('should boot and answer CHAIN_UNAVAILABLE when the external node does not answer', async () => {
    const t = await createTestApp({ env: chainEnv({ ETH_RPC_URL: 'http://127.0.0.1:9' }) });
    try {
      await expect(t.app.get(ChainService).minterAddress()).rejects.toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
    } finally {
      await t.close();
    }
  });

  it('should answer CHAIN_DISABLED when the chain client is turned off', async () => {
    const t = await createTestApp();
    try {
      await expect(t.app.get(ChainService).balanceOf('X', Wallet.createRandom().address)).rejects.toMatchObject({
        code: 'CHAIN_DISABLED',
      });
    } finally {
      await t.close();
    }
  });
});
