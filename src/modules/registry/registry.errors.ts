import { ErrorKind, errorFamily } from 'src/platform/errors';

const KINDS = {
  MODEL_NOT_FOUND: 'not_found',
  VERSION_NOT_FOUND: 'not_found',
  ALIAS_NOT_FOUND: 'not_found',
  MODEL_NAME_TAKEN: 'conflict',
  TOKEN_ID_TAKEN: 'conflict',
  MODEL_ARCHIVED: 'gone',
  MODEL_IN_PRODUCTION: 'conflict',
  FORCE_REQUIRES_ADMIN: 'forbidden',
  NOT_MODEL_OWNER: 'forbidden',
  NO_ROLLBACK_TARGET: 'conflict',
  NOT_MULTIPART: 'unsupported_media_type',
  ARTIFACT_MISSING: 'invalid',
  ARTIFACT_EMPTY: 'invalid',
  ARTIFACT_TOO_LARGE: 'too_large',
  INVALID_METADATA: 'invalid',
  PARENT_VERSION_NOT_FOUND: 'invalid',
  INVALID_ONNX_MODEL: 'unprocessable',
  FEATURES_MISMATCH: 'unprocessable',
  ARTIFACT_STORAGE_UNAVAILABLE: 'unavailable',
} as const satisfies Record<string, ErrorKind>;

export type RegistryErrorCode = keyof typeof KINDS;

/** Every failure the registry reports on purpose; the global filter turns it into problem+json. */
export class RegistryError extends errorFamily(KINDS) {
  static field(code: RegistryErrorCode, field: string, detail: string): RegistryError {
    return new RegistryError(code, detail, { errors: [{ field, code, message: detail }] });
  }
}
