import { defineEvents, event, PayloadsOf } from 'src/platform/events';
import type { RegisteredModel } from './registered-model';

/** The few fields of a model that alias and version events carry. */
export interface ModelRef {
  id: string;
  name: string;
  tokenId: string;
}

export interface ModelChangedEvent {
  model: RegisteredModel;
  changed: string[];
}

export interface ModelArchivedEvent {
  model: RegisteredModel;
  /** True when an admin archived it although `production` was set. */
  forced: boolean;
}

export interface VersionCreatedEvent {
  model: ModelRef;
  version: number;
  sha256: string;
  sizeBytes: number;
  parentVersion: number | null;
  metrics: Record<string, number>;
  datasetHash: string | null;
  runId: string | null;
  contributionIds: string[];
  createdBy: string;
}

export interface VersionUpdatedEvent {
  model: Pick<ModelRef, 'id' | 'name'>;
  version: number;
  changed: string[];
}

export interface AliasMovedEvent {
  model: ModelRef;
  alias: string;
  version: number;
  previousVersion: number | null;
}

export interface AliasDeletedEvent {
  model: ModelRef;
  alias: string;
  previousVersion: number;
}

export const REGISTRY_EVENTS = defineEvents('registry', {
  'model.registered': event<RegisteredModel>(
    'A model was registered. data: the model (name, tokenId, benchmark metric, owner, visibility, ...).',
  ),
  'model.updated': event<ModelChangedEvent>("A model's metadata changed. data: model, changed (the field names)."),
  'model.archived': event<ModelArchivedEvent>(
    'A model was archived. data: model, forced (an admin archived it while in production).',
  ),
  'model.version.created': event<VersionCreatedEvent>(
    'A version of a model was uploaded or trained. data: model, version, sha256, sizeBytes, parentVersion, ' +
      'metrics, datasetHash, runId, contributionIds, createdBy.',
  ),
  'model.version.updated': event<VersionUpdatedEvent>(
    "A version's description or tags changed. data: model, version, changed.",
  ),
  'model.promoted': event<AliasMovedEvent>(
    'The production alias now points at another version. data: model, alias, version, previousVersion.',
  ),
  'model.rolled_back': event<AliasMovedEvent>(
    'The production alias was moved back to the version that held it before. data: model, alias, version, ' +
      'previousVersion.',
  ),
  'model.alias.updated': event<AliasMovedEvent>(
    'An alias other than production was set or moved. data: model, alias, version, previousVersion.',
  ),
  'model.alias.deleted': event<AliasDeletedEvent>('An alias was deleted. data: model, alias, previousVersion.'),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof REGISTRY_EVENTS> {}
}
