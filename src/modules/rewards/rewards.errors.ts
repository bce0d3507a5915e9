import { ErrorKind, errorFamily } from 'src/platform/errors';

const KINDS = {
  REWARD_NOT_FOUND: 'not_found',
  ATTESTATION_NOT_FOUND: 'not_found',
  INVALID_REWARD_SETTINGS: 'invalid',
  INVALID_WALLET: 'invalid',
  ATTESTER_KEY_MISSING: 'unavailable',
} as const satisfies Record<string, ErrorKind>;

export type RewardsErrorCode = keyof typeof KINDS;

/** Every failure the rewards module reports on purpose; the global filter turns it into problem+json. */
export class RewardsError extends errorFamily(KINDS) {
  static field(code: RewardsErrorCode, field: string, detail: string): RewardsError {
    return new RewardsError(code, detail, { errors: [{ field, code, message: detail }] });
  }
}
