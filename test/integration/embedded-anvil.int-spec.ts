import { JsonRpcProvider, parseEther, Wallet } from 'ethers';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainService, EmbeddedAnvil } from 'src/platform/chain';
import { describeWithChain } from '../support/chain';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The id of a process that has already exited: the owner a SIGKILL left behind. */
const deadPid = (): number => spawnSync('true').pid;

// Gated like the other chain suites: without the binary the server refuses to run its own chain.
describeWithChain('embedded anvil', () => {
  it('should keep the minter and balances across a restart and stop anvil when the server shuts down', async () => {
    const dir = makeTempDir('anvil-');
    const db = await createTestDatabase();
    const env = { CHAIN_ENABLED: 'true', EMBEDDED_CHAIN_DIR: dir.path };
    try {
      const first = await createTestApp({ env, databaseUrl: db.url });
      const chain = first.app.get(ChainService);
      const pid = chain.embeddedPid!;
      const wallet = Wallet.createRandom().address;
      await chain.mintBatch({
        tokenId: 'EMB',
        key: `0x${'ab'.repeat(32)}`,
        attestationHash: `0x${'cd'.repeat(32)}`,
        recipients: [wallet],
        amounts: [42n],
      });
      const minter = await chain.minterAddress();
      const token = await chain.tokenAddress('EMB');
      await first.app.close();
      expect(isAlive(pid)).toBe(false);
      expect(existsSync(join(dir.path, 'state.json'))).toBe(true);

      const second = await createTestApp({ env, databaseUrl: db.url });
      try {
        const again = second.app.get(ChainService);
        expect(again.embeddedPid).not.toBe(pid);
        expect(await again.minterAddress()).toBe(minter);
        expect(await again.tokenAddress('EMB')).toBe(token);
        expect(await again.balanceOf('EMB', wallet)).toBe(42n);
        expect(await again.isKeyUsed(`0x${'ab'.repeat(32)}`)).toBe(true);
      } finally {
        await second.app.close();
      }
    } finally {
      await db.drop();
      dir.remove();
    }
  });

  it('should stop an anvil orphaned by a killed server and start again with its state when the next one boots', async () => {
    const dir = makeTempDir('anvil-');
    const orphan = new EmbeddedAnvil({ dir: dir.path, port: 0, chainId: 31337 });
    const next = new EmbeddedAnvil({ dir: dir.path, port: 0, chainId: 31337 });
    const wallet = Wallet.createRandom().address;
    try {
      const url = await orphan.start();
      const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true });
      await provider.send('anvil_setBalance', [wallet, `0x${parseEther('3').toString(16)}`]);
      provider.destroy();
      const orphanPid = orphan.pid!;
      writeFileSync(join(dir.path, 'anvil.pid'), `${orphanPid} ${deadPid()}`);

      const restarted = new JsonRpcProvider(await next.start(), 31337, { staticNetwork: true });
      expect(isAlive(orphanPid)).toBe(false);
      expect(await restarted.getBalance(wallet)).toBe(parseEther('3'));
      restarted.destroy();
    } finally {
      await orphan.stop();
      await next.stop();
      dir.remove();
    }
  });

  it('should refuse to start when a live process owns the directory', async () => {
    const dir = makeTempDir('anvil-');
    try {
      writeFileSync(join(dir.path, 'anvil.pid'), `${deadPid()} ${process.ppid}`);
      await expect(new EmbeddedAnvil({ dir: dir.path, port: 0, chainId: 31337 }).start()).rejects.toThrow(
        /in use by process .*EMBEDDED_CHAIN_DIR/,
      );
    } finally {
      dir.remove();
    }
  });

  it('should run two chains from two directories at once and keep each port across a restart when no port is configured', async () => {
    const dirA = makeTempDir('anvil-');
    const dirB = makeTempDir('anvil-');
    const a = new EmbeddedAnvil({ dir: dirA.path, port: 0, chainId: 31337 });
    const b = new EmbeddedAnvil({ dir: dirB.path, port: 0, chainId: 31337 });
    const again = new EmbeddedAnvil({ dir: dirA.path, port: 0, chainId: 31337 });
    try {
      const urlA = await a.start();
      const urlB = await b.start();
      expect(urlA).not.toBe(urlB);
      await a.stop();
      expect(await again.start()).toBe(urlA);
    } finally {
      await a.stop();
      await b.stop();
      await again.stop();
      dirA.remove();
      dirB.remove();
    }
  });
});
