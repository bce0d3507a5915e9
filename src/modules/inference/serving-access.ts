import { canSee, canWrite, RegistryError } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { DomainError } from 'src/platform/errors';
import { ModelAccess } from './version-source';

/**
 * Inference resolves and caches a model's routes once for every caller, so it checks each key against what the
 * route remembers of the model (no query per request), and answers as the registry does: a private model of
 * another owner does not exist for that key.
 */
export function modelNotFound(name: string): RegistryError {
  return new RegistryError('MODEL_NOT_FOUND', `No model named ${name}.`);
}

export function assertServable<T extends ModelAccess & { modelName: string }>(version: T, principal: Principal): T {
  if (!canSee(version, principal)) throw modelNotFound(version.modelName);
  return version;
}

/** Loading and unloading change what everyone is served: the model's owner or an admin only. */
export function assertManageable(access: ModelAccess | null, name: string, principal: Principal): void {
  if (!access || !canSee(access, principal)) throw modelNotFound(name);
  if (!canWrite(access, principal)) {
    throw new RegistryError('NOT_MODEL_OWNER', `Only the owner of model ${name} or an admin may load or unload it.`);
  }
}

/**
 * An error met while resolving a reference names what it found (no production version, no version 7, archived);
 * a key that may not see the model gets MODEL_NOT_FOUND instead. Costs a query on failures only.
 */
export async function hideFrom(
  err: unknown,
  name: string,
  principal: Principal,
  access: (name: string) => Promise<ModelAccess | null>,
): Promise<never> {
  if (err instanceof DomainError && err.code !== 'MODEL_NOT_FOUND') {
    const found = await access(name).catch(() => null);
    if (!found || !canSee(found, principal)) throw modelNotFound(name);
  }
  throw err;
}
