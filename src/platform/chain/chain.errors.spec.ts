import { Interface, Wallet } from 'ethers';
import { ChainError, decodeChainError, revertData } from './chain.errors';
import { MINTER_ABI, TOKEN_ABI } from './contract-artifacts';

const minter = new Interface(MINTER_ABI);
const token = new Interface(TOKEN_ABI);
const KEY = `0x${'11'.repeat(32)}`;

describe('decodeChainError', () => {
  it('should decode KeyAlreadyUsed with its key when estimateGas reports an unknown custom error', () => {
    const data = minter.encodeErrorResult('KeyAlreadyUsed', [KEY]);
    const err = Object.assign(new Error('execution reverted (unknown custom error)'), { code: 'CALL_EXCEPTION', data });
    const decoded = decodeChainError(err);
    expect(decoded).toBeInstanceOf(ChainError);
    expect(decoded).toMatchObject({ code: 'KEY_ALREADY_USED', kind: 'conflict', extra: { revert: { key: KEY } } });
  });

  it('should decode an AccessControl refusal as NOT_AUTHORIZED when the revert data is nested in the RPC error', () => {
    const account = Wallet.createRandom().address;
    const role = `0x${'22'.repeat(32)}`;
    const data = token.encodeErrorResult('AccessControlUnauthorizedAccount', [account, role]);
    const err = { code: 'UNKNOWN_ERROR', info: { error: { code: 3, message: 'execution reverted', data } } };
    expect(decodeChainError(err)).toMatchObject({
      code: 'NOT_AUTHORIZED',
      kind: 'forbidden',
      extra: { revert: { account, neededRole: role } },
    });
  });

  it.each([
    ['LengthMismatch', [], 'LENGTH_MISMATCH'],
    ['EmptyBatch', [], 'EMPTY_BATCH'],
    ['EnforcedPause', [], 'MINTER_PAUSED'],
  ])('should map %s to %s when the minter reverts with it', (name, args, code) => {
    expect(decodeChainError({ data: minter.encodeErrorResult(name, args) })).toMatchObject({ code });
  });

  it('should answer TRANSACTION_REVERTED when the revert data is no error of our contracts', () => {
    expect(decodeChainError({ data: '0xdeadbeef00' })).toMatchObject({ code: 'TRANSACTION_REVERTED' });
  });

  it('should answer CHAIN_UNAVAILABLE when the node cannot be reached', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(decodeChainError({ code: 'UNKNOWN_ERROR', error: err })).toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
  });

  it('should return the error unchanged when it is neither a revert nor a network failure', () => {
    const err = new TypeError('a bug');
    expect(decodeChainError(err)).toBe(err);
  });

  it('should find no revert data when an error reference cycles back on itself', () => {
    const err: Record<string, unknown> = { message: 'x' };
    err.error = err;
    expect(revertData(err)).toBeUndefined();
  });
});
