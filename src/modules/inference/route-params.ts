import { FieldError } from 'src/platform/errors';
import { RequestValidationError } from 'src/platform/http';
import { MODEL_NAME, MODEL_NAME_MESSAGE, RegistryError } from 'src/modules/registry';
import { VersionRef } from './version-source';

const VERSION = /^[1-9]\d{0,8}$/;
const ALIAS = /^[\w-]{1,256}$/;

/**
 * The Open Inference Protocol's `{name}[/versions/{version}]`: a name or version that cannot exist is an unknown
 * model or version (404), as the protocol answers for any model or version it does not serve.
 */
export function oipModelParams(params: unknown): { name: string; version?: number } {
  const { name, version } = params as { name: string; version?: string };
  if (!MODEL_NAME.test(name)) throw new RegistryError('MODEL_NOT_FOUND', `No model named ${name}.`);
  if (version === undefined) return { name };
  if (!VERSION.test(version)) throw new RegistryError('VERSION_NOT_FOUND', `Model ${name} has no version ${version}.`);
  return { name, version: Number(version) };
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
