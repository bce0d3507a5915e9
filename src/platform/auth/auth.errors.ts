import { DomainError, ErrorKind } from '../errors';

const KINDS = {
  API_KEY_MISSING: 'unauthenticated',
  API_KEY_INVALID: 'unauthenticated',
  INSUFFICIENT_SCOPE: 'forbidden',
  ROUTE_NOT_DECLARED: 'forbidden',
  API_KEY_NOT_FOUND: 'not_found',
  SCOPE_ESCALATION: 'forbidden',
  OWNER_NOT_ALLOWED: 'forbidden',
} as const satisfies Record<string, ErrorKind>;

export type AuthErrorCode = keyof typeof KINDS;

export class AuthError extends DomainError {
  constructor(code: AuthErrorCode, detail: string, extra: Record<string, unknown> = {}) {
    super(code, KINDS[code], detail, extra);
  }
}
