import { EntityManager, In } from 'typeorm';
import { AuditService } from 'src/platform/audit';
import { EventsService } from 'src/platform/events';
import { ContributionEntity, ContributionStatus } from './contribution.entity';
import { ContributionError } from './contributions.errors';
import { ContributionIncludedEvent, ContributionRewardedEvent } from './contributions.events';

type Moved = 'contributionId' | 'model' | 'walletAddress';

/** What each move's event carries besides the contribution, its model and its wallet. */
export interface MoveData {
  included_in_training: Omit<ContributionIncludedEvent, Moved>;
  rewarded: Omit<ContributionRewardedEvent, Moved>;
}

/**
 * Moves contributions from `from` to `to` after training or rewards, in the caller's transaction: locks them,
 * refuses (CONTRIBUTION_NOT_FOUND, ILLEGAL_TRANSITION) before changing anything when one is unknown or in another
 * state, records the time and publishes `contribution.<to>` for each with `data`, and audits each move.
 */
export async function advance<To extends keyof MoveData>(
  manager: EntityManager,
  events: EventsService,
  audit: AuditService,
  ids: string[],
  from: ContributionStatus | readonly ContributionStatus[],
  to: To,
  data: MoveData[To],
): Promise<ContributionEntity[]> {
  const unique = [...new Set(ids)];
  const found = await manager
    .getRepository(ContributionEntity)
    .find({ where: { id: In(unique) }, lock: { mode: 'pessimistic_write' } });
  const missing = unique.filter((id) => !found.some((c) => c.id === id));
  if (missing.length > 0) {
    throw new ContributionError('CONTRIBUTION_NOT_FOUND', `No contribution ${missing.join(', ')}.`);
  }
  const fromAny: readonly ContributionStatus[] = typeof from === 'string' ? [from] : from;
  const before = new Map(found.map((c) => [c.id, c.status]));
  const illegal = found.filter((c) => !fromAny.includes(c.status));
  if (illegal.length > 0) {
    throw new ContributionError(
      'ILLEGAL_TRANSITION',
      `Only ${fromAny.join(' or ')} contributions can become ${to}: ${illegal.map((c) => `${c.id} is ${c.status}`).join(', ')}.`,
      { contributions: illegal.map((c) => ({ id: c.id, status: c.status })) },
    );
  }
  const at = new Date();
  const stamp = to === 'included_in_training' ? { includedInTrainingAt: at } : { rewardedAt: at };
  await manager.getRepository(ContributionEntity).update({ id: In(unique) }, { status: to, ...stamp });
  for (const c of found) {
    Object.assign(c, { status: to }, stamp);
    const about = { contributionId: c.id, model: c.modelName, walletAddress: c.walletAddress };
    const options = { modelName: c.modelName, owner: c.owner };
    if (to === 'included_in_training') {
      const training = data as MoveData['included_in_training'];
      await events.publish('contribution.included_in_training', { ...about, ...training }, options);
    } else {
      const reward = data as MoveData['rewarded'];
      await events.publish('contribution.rewarded', { ...about, ...reward }, options);
    }
  }
  await audit.record(
    found.map((c) => ({
      action: to === 'included_in_training' ? 'contribution.include_in_training' : 'contribution.reward',
      target: { type: 'contribution', id: c.id, owner: c.owner },
      changes: { status: { from: before.get(c.id), to } },
    })),
  );
  return found;
}
