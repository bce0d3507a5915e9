import { Wallet, verifyMessage } from 'ethers';
import { datasetHashOfRows, signatureMessage } from 'src/modules/contributions';
import { contributionDatasetHash, contributionMessage, signContribution } from './contribution-signature';

describe('contribution signature (client side)', () => {
  const rows = [
    { b: 1.0, a: 'x', label: 'yes' },
    { a: 'y', b: -0, label: 'no' },
    { label: 'yes', a: 'x', b: 1 },
  ];

  it('should give the dataset hash and message the server checks when rows repeat or keys are unordered', () => {
    expect(contributionDatasetHash(rows)).toBe(datasetHashOfRows(rows));
    expect(contributionMessage('churn', 'sha256:ab', '2026-01-01T00:00:00.000Z')).toBe(
      signatureMessage('churn', 'sha256:ab', '2026-01-01T00:00:00.000Z'),
    );
  });

  it('should sign the contribution message with the wallet when a signer is given', async () => {
    const wallet = Wallet.createRandom();
    const now = new Date('2026-01-01T00:00:00.000Z');
    const proof = await signContribution(wallet, 'churn', rows, now);
    expect(proof).toMatchObject({ walletAddress: wallet.address, signedAt: now.toISOString() });
    const message = signatureMessage('churn', datasetHashOfRows(rows), proof.signedAt);
    expect(verifyMessage(message, proof.signature)).toBe(wallet.address);
  });
});
