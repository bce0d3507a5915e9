import { EntityManager } from 'typeorm';
import { Principal } from 'src/platform/auth';
import { ModelEntity } from './model.entity';
import { RegistryError } from './registry.errors';

/** Public models are visible to every key; private ones only to their owner and to admins. */
export function canSee(model: ModelEntity, principal: Principal | undefined): boolean {
  return !principal || model.visibility === 'public' || principal.isAdmin || model.owner === principal.owner;
}

export function notFound(name: string): RegistryError {
  return new RegistryError('MODEL_NOT_FOUND', `No model named ${name}.`);
}

export function assertVisible(model: ModelEntity | null, name: string, principal?: Principal): ModelEntity {
  if (!model || !canSee(model, principal)) throw notFound(name);
  return model;
}

export function assertWritable(model: ModelEntity, principal: Principal): void {
  if (!principal.isAdmin && model.owner !== principal.owner) {
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
