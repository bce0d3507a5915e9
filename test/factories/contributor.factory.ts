import { HDNodeWallet, Wallet } from 'ethers';
import { contributorMessage } from 'src/modules/contributions';

export type ContributorAction = 'export' | 'erasure';

/**
 * The body a contributor sends to export or erase its data: {timestamp, signature}, signed by `signer` (the
 * wallet itself unless another is given to forge one) at `at` (now unless given, to make a stale one).
 */
export async function contributorProof(
  wallet: HDNodeWallet | Wallet,
  action: ContributorAction,
  options: { signer?: HDNodeWallet | Wallet; at?: Date } = {},
): Promise<{ timestamp: string; signature: string }> {
  const timestamp = (options.at ?? new Date()).toISOString();
  const signer = options.signer ?? wallet;
  const signature = await signer.signMessage(contributorMessage(action, wallet.address, timestamp));
  return { timestamp, signature };
}
