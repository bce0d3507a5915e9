import { errorFamily } from 'src/platform/errors';

export class ContributionError extends errorFamily({
  INVALID_WALLET: 'invalid',
  SIGNATURE_REQUIRED: 'invalid',
  SIGNATURE_INVALID: 'invalid',
  SIGNATURE_STALE: 'unprocessable',
  NO_FEATURE_SCHEMA: 'unprocessable',
  NO_ACCEPTABLE_ROWS: 'unprocessable',
  PII_DETECTED: 'unprocessable',
  PSEUDONYMIZE_SECRET_MISSING: 'invalid',
  CONTRIBUTION_NOT_FOUND: 'not_found',
  INVALID_FILE: 'invalid',
  UPLOAD_TOO_LARGE: 'too_large',
  TOO_MANY_ROWS: 'too_large',
  ILLEGAL_TRANSITION: 'conflict',
  CONTRIBUTOR_PROOF_REQUIRED: 'unauthenticated',
  API_KEY_INVALID: 'unauthenticated',
  ADMIN_KEY_REQUIRED: 'forbidden',
}) {}
