import { EntityManager } from 'typeorm';
import { Principal } from 'src/platform/auth';
import { ModelEntity } from './model.entity';
import { RegistryError } from './registry.errors';
import { ModelVisibility } from './registry.rules';

/** What decides who may see and change a model. */
export interface ModelAccess {
  owner: string;
  visibility: ModelVisibility;
}

/** Public models are visible to every key; private ones only to their owner and to admins. */
export function canSee(model: ModelAccess, principal: Principal): boolean {
  return model.visibility === 'public' || principal.isAdmin || model.owner === principal.owner;
}

/** Only a model's owner and admins may change it (or load and unload it for everyone). */
export function canWrite(model: ModelAccess, principal: Principal): boolean {
  return principal.isAdmin || model.owner === principal.owner;
}

export function notFound(name: string): RegistryError {
  return new RegistryError('MODEL_NOT_FOUND', `No model named ${name}.`);
}

/**
 * The model, or MODEL_NOT_FOUND when it does not exist or the principal may not see it. Without a principal the
 * caller is the server itself (training, inference's shared route cache), which sees every model and must check
 * a key's access itself before it serves that key.
 */
export function assertVisible<T extends ModelAccess>(model: T | null, name: string, principal?: Principal): T {
  if (!model || (principal && !canSee(model, principal))) throw notFound(name);
  return model;
}

export function assertWritable(model: ModelAccess & { name: string }, principal: Principal): void {
  if (!canWrite(model, principal)) {
    throw new RegistryError('NOT_MODEL_OWNER', `Only the owner of model ${model.name} or an admin may change it.`);
  }
}

export function assertActive(model: ModelEntity): void {
  if (model.status === 'archived') throw new RegistryError('MODEL_ARCHIVED', `Model ${model.name} is archived.`);
}

/**
 * Locks the model row for the rest of the transaction (`SELECT ... FOR UPDATE`) after checking that the caller
 * may see and change it. Every change to a model's versions and aliases goes through here, so they serialise.
 */
export async function lockForWrite(
  manager: EntityManager,
  name: string,
  principal: Principal,
  options: { allowArchived?: boolean } = {},
): Promise<ModelEntity> {
  const model = await manager
    .getRepository(ModelEntity)
    .createQueryBuilder('m')
    .setLock('pessimistic_write')
    .where('m.name = :name', { name })
    .getOne();
  assertVisible(model, name, principal);
  assertWritable(model!, principal);
  if (!options.allowArchived) assertActive(model!);
  return model!;
}
