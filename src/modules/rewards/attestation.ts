import { createHash } from 'node:crypto';
import { TypedDataDomain, TypedDataField, verifyTypedData, Wallet } from 'ethers';
import type { AcceptedDeltaOne } from 'src/modules/deltaone';
import { canonicalJson } from 'src/platform/json';

export interface AttestedWeight {
  walletAddress: string;
  creditedRows: number;
  weightBps: number;
}

/** What an accepted DeltaOne attests: everything needed to recompute the decision and the split. */
export function attestationDocument(d: AcceptedDeltaOne, weights: AttestedWeight[]): Record<string, unknown> {
  return {
    schema: 'deltaone.attestation/v1',
    evaluationId: d.evaluationId,
    model: { id: d.modelId, name: d.modelName, tokenId: d.tokenId },
    metric: { name: d.metric, direction: d.direction },
    benchmark: { datasetId: d.benchmark.datasetId, hash: d.benchmark.hash },
    baseline: { ...d.baseline },
    candidate: { ...d.candidate },
    deltaBps: d.deltaBps,
    n: d.n,
    statistics: d.statistics,
    weights,
    decidedAt: d.decidedAt,
  };
}

/** 0x + sha256 of the document's canonical JSON (src/platform/json). */
export function attestationHash(document: Record<string, unknown>): string {
  return `0x${createHash('sha256').update(canonicalJson(document)).digest('hex')}`;
}

/** The minter's key for the reward: 0x + sha256("<modelId>:<attestation hash without 0x>"), one mint per DeltaOne. */
export function mintKey(modelId: string, hash: string): string {
  return `0x${createHash('sha256')
    .update(`${modelId}:${hash.replace(/^0x/, '')}`)
    .digest('hex')}`;
}

export const ATTESTATION_TYPES: Record<string, TypedDataField[]> = {
  DeltaOneAttestation: [
    { name: 'evaluationId', type: 'string' },
    { name: 'modelId', type: 'string' },
    { name: 'attestationHash', type: 'bytes32' },
    { name: 'mintKey', type: 'bytes32' },
  ],
};

export function attestationDomain(chainId: number): TypedDataDomain {
  return { name: 'DeltaOne Attestation', version: '1', chainId };
}

export interface SignedAttestation {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  value: { evaluationId: string; modelId: string; attestationHash: string; mintKey: string };
  signature: string;
  signer: string;
}

/** The EIP-712 signature of the attester over the hash (and the ids that scope it). */
export async function signAttestation(
  key: string,
  chainId: number,
  value: SignedAttestation['value'],
): Promise<SignedAttestation> {
  const wallet = new Wallet(key);
  const domain = attestationDomain(chainId);
  const signature = await wallet.signTypedData(domain, ATTESTATION_TYPES, value);
  return { domain, types: ATTESTATION_TYPES, value, signature, signer: wallet.address };
}

/** The address that signed, so a verifier can compare it with the server's published attester. */
export function recoverAttester(a: Pick<SignedAttestation, 'domain' | 'types' | 'value' | 'signature'>): string {
  return verifyTypedData(a.domain, a.types, a.value, a.signature);
}
