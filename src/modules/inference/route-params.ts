import { FieldError } from 'src/platform/errors';
import { RequestValidationError } from 'src/platform/http';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { VersionRef } from './version-source';

const VERSION = /^[1-9]\d{0,8}$/;
const ALIAS = /^[\w-]{1,256}$/;

/**
 * The inference routes are lean (no Nest pipes), so they check their few parameters here, with the same codes
 * and messages the validation pipe gives elsewhere.
 */
export function modelParams(params: unknown): { name: string; version?: number } {
  const { name, version } = params as { name: string; version?: string };
  const errors = nameErrors(name);
  if (version !== undefined && !VERSION.test(version)) errors.push(versionError('MATCHES'));
  if (errors.length > 0) throw new RequestValidationError(errors);
  return version === undefined ? { name } : { name, version: Number(version) };
}

/** `?version=N` or `?alias=NAME` (not both) on top of the model name. */
export function predictParams(params: unknown, query: unknown): { name: string; ref: VersionRef } {
  const { name } = params as { name: string };
  const { version, alias } = query as { version?: string; alias?: string };
  const errors = nameErrors(name);
  if (version !== undefined && !VERSION.test(version)) errors.push(versionError('IS_INT'));
  if (alias !== undefined && !ALIAS.test(alias)) {
    errors.push({ field: 'alias', code: 'MATCHES', message: 'alias must match ^[\\w-]{1,256}$' });
  }
  if (version !== undefined && alias !== undefined) {
    errors.push({ field: 'alias', code: 'EXCLUSIVE', message: 'give either version or alias, not both' });
  }
  if (errors.length > 0) throw new RequestValidationError(errors);
  return { name, ref: version !== undefined ? { version: Number(version) } : alias !== undefined ? { alias } : {} };
}

function nameErrors(name: string): FieldError[] {
  return MODEL_NAME.test(name) ? [] : [{ field: 'name', code: 'MATCHES', message: MODEL_NAME_MESSAGE }];
}

function versionError(code: string): FieldError {
  return { field: 'version', code, message: 'version must be a positive integer' };
}
