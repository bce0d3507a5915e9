// Gas of RewardMinter.mintBatch (`npm run bench:mint`): one batch to 1, 10 and 100 wallets that hold no tokens yet
// (every balance a fresh storage write), on anvil started by the server's own EmbeddedAnvil in a temporary dir.
// Per recipient = gasUsed / recipients (the 21,000 base cost and the key write included, so small batches pay more).
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { ContractFactory, JsonRpcProvider, NonceManager, Wallet, hexlify } = require('ethers');
const { EmbeddedAnvil } = require('../dist/src/platform/chain');
const { DEV_CHAIN_KEYS } = require('../dist/src/platform/config');
const artifacts = require('../dist/src/platform/chain/artifacts.json').contracts;

const SIZES = [1, 10, 100];
const GOAL_PER_RECIPIENT_AT_100 = 30_000;

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-mint-'));
  const anvil = new EmbeddedAnvil({ dir, port: 0, chainId: 31337, log: () => undefined });
  const url = await anvil.start();
  const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  try {
    const signer = new NonceManager(new Wallet(DEV_CHAIN_KEYS[0], provider));
    const me = await signer.getAddress();
    const deploy = async (name, ...args) => {
      const c = await new ContractFactory(artifacts[name].abi, artifacts[name].bytecode, signer).deploy(...args);
      await c.waitForDeployment();
      return c;
    };
    const minter = await deploy('RewardMinter', me, me);
    const token = await deploy('RewardToken', 'Bench', 'BENCH', me, await minter.getAddress());
    const rows = [];
    for (const n of SIZES) {
      const to = Array.from({ length: n }, () => Wallet.createRandom().address);
      const amounts = to.map((_, i) => 10n ** 18n + BigInt(i));
      const key = hexlify(randomBytes(32));
      const tx = await minter.mintBatch(await token.getAddress(), key, hexlify(randomBytes(32)), to, amounts);
      const receipt = await tx.wait();
      rows.push({
        recipients: n,
        gasUsed: Number(receipt.gasUsed),
        perRecipient: Math.round(Number(receipt.gasUsed) / n),
      });
    }
    console.log('| recipients | gasUsed | gas per recipient |');
    console.log('|---:|---:|---:|');
    for (const r of rows)
      console.log(`| ${r.recipients} | ${r.gasUsed.toLocaleString('en')} | ${r.perRecipient.toLocaleString('en')} |`);
    const at100 = rows.find((r) => r.recipients === 100).perRecipient;
    console.log(
      `\nat 100: ${at100} gas a recipient (goal <= ${GOAL_PER_RECIPIENT_AT_100}: ${at100 <= GOAL_PER_RECIPIENT_AT_100 ? 'met' : 'NOT met'})`,
    );
    const marginal = Math.round((rows[2].gasUsed - rows[1].gasUsed) / 90);
    console.log(`marginal cost of one more recipient (10 → 100): ${marginal} gas`);
  } finally {
    provider.destroy();
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
