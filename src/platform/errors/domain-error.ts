/**
 * What kind of failure a domain error is. The HTTP layer maps kinds to status codes in one place
 * (platform/http/problem-details.ts); modules never pick status codes themselves.
 */
export type ErrorKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'gone' // 410
  | 'too_large' // 413
  | 'unsupported_media_type' // 415
  | 'unprocessable' // 422
  | 'rate_limited' // 429
  | 'unavailable' // 503
  | 'internal'; // 500

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/**
 * Base of every error a module throws on purpose. `code` is stable (clients switch on it);
 * `detail` is for humans; `extra` members are copied into the problem document.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; [member: string]: unknown } = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/**
 * The base class of one module's errors: `class RegistryError extends errorFamily({ MODEL_NOT_FOUND: 'not_found' }) {}`
 * gives `new RegistryError('MODEL_NOT_FOUND', detail)` with the code checked at compile time.
 */
export function errorFamily<K extends Record<string, ErrorKind>>(kinds: K) {
  return class extends DomainError {
    constructor(code: keyof K & string, detail: string, extra: DomainError['extra'] = {}) {
      super(code, kinds[code], detail, extra);
    }
  };
}
