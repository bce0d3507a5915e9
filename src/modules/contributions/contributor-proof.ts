import { checkSignature, normaliseWallet } from './contribution.rules';
import { ContributionError } from './contributions.errors';

export type ContributorAction = 'export' | 'erasure';

/** What a wallet signs (EIP-191 `personal_sign`) to ask for its data: three lines, no trailing newline. */
export function contributorMessage(action: ContributorAction, wallet: string, timestamp: string): string {
  return `DeltaOne data ${action}\nwallet: ${wallet}\ntimestamp: ${timestamp}`;
}

/** The wallet in EIP-55 form, or INVALID_WALLET (400). */
export function walletOrThrow(address: string): string {
  const wallet = normaliseWallet(address);
  if (wallet) return wallet;
  const message = 'walletAddress must be a 0x address of 40 hex digits, with a valid EIP-55 checksum when mixed case';
  throw new ContributionError('INVALID_WALLET', message, {
    errors: [{ field: 'walletAddress', code: 'INVALID_WALLET', message }],
  });
}

/**
 * Checks that `wallet` signed the request for `action` within 10 minutes of now: SIGNATURE_STALE (422) for a
 * timestamp too far from the server clock, SIGNATURE_INVALID (400) for a signature of anything else or by
 * another wallet.
 */
export function verifyContributorProof(
  action: ContributorAction,
  wallet: string,
  proof: { timestamp: string; signature: string },
): void {
  const message = contributorMessage(action, wallet, proof.timestamp);
  const problem = checkSignature(wallet, proof.signature, message, proof.timestamp);
  if (problem === 'SIGNATURE_STALE') {
    throw new ContributionError('SIGNATURE_STALE', 'timestamp is more than 10 minutes from the server clock.', {
      errors: [{ field: 'timestamp', code: problem, message: 'timestamp is not within 10 minutes' }],
    });
  }
  if (problem === 'SIGNATURE_INVALID') {
    throw new ContributionError(
      'SIGNATURE_INVALID',
      `signature is not a signature by ${wallet} of the "DeltaOne data ${action}" message with this timestamp.`,
      { errors: [{ field: 'signature', code: problem, message: 'signature does not match' }] },
    );
  }
}
