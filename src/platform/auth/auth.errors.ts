import { errorFamily } from '../errors';

export class AuthError extends errorFamily({
  API_KEY_MISSING: 'unauthenticated',
  API_KEY_INVALID: 'unauthenticated',
  INSUFFICIENT_SCOPE: 'forbidden',
  ROUTE_NOT_DECLARED: 'forbidden',
  API_KEY_NOT_FOUND: 'not_found',
  SCOPE_ESCALATION: 'forbidden',
  OWNER_NOT_ALLOWED: 'forbidden',
}) {}
