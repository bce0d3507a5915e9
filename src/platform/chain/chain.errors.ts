import { Interface } from 'ethers';
import { ErrorKind, errorFamily } from '../errors';
import { MINTER_ABI, TOKEN_ABI } from './contract-artifacts';

const KINDS = {
  CHAIN_DISABLED: 'unavailable',
  CHAIN_UNAVAILABLE: 'unavailable',
  CHAIN_ID_MISMATCH: 'internal',
  CONTRACT_MISSING: 'internal',
  KEY_ALREADY_USED: 'conflict',
  LENGTH_MISMATCH: 'invalid',
  EMPTY_BATCH: 'invalid',
  INVALID_RECIPIENT: 'invalid',
  INVALID_AMOUNT: 'invalid',
  INVALID_ARGUMENT: 'invalid',
  NOT_AUTHORIZED: 'forbidden',
  MINTER_PAUSED: 'unavailable',
  TRANSACTION_REVERTED: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ChainErrorCode = keyof typeof KINDS;

/** Every failure of the chain client reported on purpose, revert reasons decoded into stable codes. */
export class ChainError extends errorFamily(KINDS) {}

const CONTRACTS = new Interface([...MINTER_ABI, ...TOKEN_ABI.filter((f) => f.type === 'error')]);

const REVERTS: Record<string, ChainErrorCode> = {
  KeyAlreadyUsed: 'KEY_ALREADY_USED',
  LengthMismatch: 'LENGTH_MISMATCH',
  EmptyBatch: 'EMPTY_BATCH',
  AccessControlUnauthorizedAccount: 'NOT_AUTHORIZED',
  EnforcedPause: 'MINTER_PAUSED',
  ERC20InvalidReceiver: 'INVALID_RECIPIENT',
};

// ethers codes and socket errors that mean "the node could not be reached", not "the node said no".
const UNREACHABLE = new Set(['NETWORK_ERROR', 'TIMEOUT', 'SERVER_ERROR', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND']);

/** The revert data of an ethers error, wherever the provider put it (estimateGas, call, or a nested RPC error). */
export function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.data === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(o.data)) return o.data;
    queue.push(o.data, o.error, o.info, o.cause);
  }
  return undefined;
}

function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
    e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return false;
}

/**
 * Turns what ethers throws into a ChainError: a custom error of our contracts becomes its code (with its
 * arguments in `extra`), an unreachable node CHAIN_UNAVAILABLE. Anything else is returned unchanged.
 */
export function decodeChainError(err: unknown): unknown {
  if (err instanceof ChainError) return err;
  const data = revertData(err);
  if (data) {
    const parsed = CONTRACTS.parseError(data);
    if (parsed) {
      const code = REVERTS[parsed.name] ?? 'TRANSACTION_REVERTED';
      const args = parsed.fragment.inputs.map((input, i) => [input.name, String(parsed.args[i])]);
      return new ChainError(code, `the contract refused: ${parsed.signature}`, { revert: Object.fromEntries(args) });
    }
    return new ChainError('TRANSACTION_REVERTED', `the contract reverted with unknown data ${data.slice(0, 74)}`);
  }
  if (isUnreachable(err)) {
    return new ChainError('CHAIN_UNAVAILABLE', `the chain node did not answer: ${(err as Error).message}`);
  }
  return err;
}
