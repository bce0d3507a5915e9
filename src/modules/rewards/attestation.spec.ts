import { createHash } from 'node:crypto';
import { Wallet } from 'ethers';
import { canonicalJson } from 'src/platform/json';
import { attestationHash, mintKey, recoverAttester, signAttestation } from './attestation';

describe('attestation', () => {
  const key = `0x${'11'.repeat(32)}`;

  it('should hash the canonical JSON whatever the key order when hashing a document', () => {
    const a = attestationHash({ b: 1, a: { y: 2, x: [1, 2] } });
    expect(a).toBe(attestationHash({ a: { x: [1, 2], y: 2 }, b: 1 }));
    expect(a).toBe(
      `0x${createHash('sha256')
        .update(canonicalJson({ a: { x: [1, 2], y: 2 }, b: 1 }))
        .digest('hex')}`,
    );
  });

  it('should derive the mint key as sha256 of modelId:hash without 0x', () => {
    const hash = `0x${'ab'.repeat(32)}`;
    const expected = createHash('sha256')
      .update(`m-1:${'ab'.repeat(32)}`)
      .digest('hex');
    expect(mintKey('m-1', hash)).toBe(`0x${expected}`);
  });

  it('should recover the attester from the EIP-712 signature, and not when the value was changed', async () => {
    const value = {
      evaluationId: 'e-1',
      modelId: 'm-1',
      attestationHash: `0x${'ab'.repeat(32)}`,
      mintKey: `0x${'cd'.repeat(32)}`,
    };
    const signed = await signAttestation(key, 31337, value);
    expect(signed.signer).toBe(new Wallet(key).address);
    expect(recoverAttester(signed)).toBe(signed.signer);
    const forged = { ...signed, value: { ...value, attestationHash: `0x${'ac'.repeat(32)}` } };
    expect(recoverAttester(forged)).not.toBe(signed.signer);
  });
});
