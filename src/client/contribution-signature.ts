import { createHash } from 'node:crypto';
import { canonicalJson } from 'src/platform/json';

type Row = Record<string, unknown>;

/** What a contributor wallet signs: signer.signMessage is EIP-191 `personal_sign` (an ethers Wallet has it). */
export interface MessageSigner {
  readonly address: string;
  signMessage(message: string): Promise<string>;
}

/**
 * The dataset hash the server computes for a contribution: `sha256:` + sha256 over the distinct hex sha256 of
 * each row's canonical JSON, sorted, each followed by a newline (the ContributorDto description in openapi.json).
 */
export function contributionDatasetHash(rows: readonly Row[]): string {
  const hashes = new Set(rows.map((r) => createHash('sha256').update(canonicalJson(r)).digest('hex')));
  const h = createHash('sha256');
  for (const r of [...hashes].sort()) h.update(`${r}\n`);
  return `sha256:${h.digest('hex')}`;
}

/** The four lines a wallet signs for a contribution, joined by `\n` with no trailing newline. */
export function contributionMessage(modelName: string, datasetHash: string, signedAt: string): string {
  return `DeltaOne contribution\nmodel: ${modelName}\ndataset: ${datasetHash}\ntimestamp: ${signedAt}`;
}

/** The `contributor` field of a contribution signed by `signer` now. */
export async function signContribution(
  signer: MessageSigner,
  modelName: string,
  rows: readonly Row[],
  now: Date = new Date(),
): Promise<{ walletAddress: string; signature: string; signedAt: string }> {
  const signedAt = now.toISOString();
  const signature = await signer.signMessage(contributionMessage(modelName, contributionDatasetHash(rows), signedAt));
  return { walletAddress: signer.address, signature, signedAt };
}
