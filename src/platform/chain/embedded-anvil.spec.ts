import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedAnvil, EmbeddedAnvilError } from './embedded-anvil';

describe('EmbeddedAnvil', () => {
  it('should fail naming ETH_RPC_URL when the anvil binary is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-missing-'));
    try {
      const anvil = new EmbeddedAnvil({ dir, port: 0, chainId: 31337, binary: join(dir, 'no-such-anvil') });
      const started = anvil.start();
      await expect(started).rejects.toBeInstanceOf(EmbeddedAnvilError);
      await expect(started).rejects.toThrow(/set ETH_RPC_URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
