import { defineEvents, event, PayloadsOf } from 'src/platform/events';

export interface TrainingStartedEvent {
  runId: string;
  model: string;
  family: string;
  baseVersion: number;
  contributionIds: string[];
  trigger: string;
}

export interface TrainingCompletedEvent {
  runId: string;
  model: string;
  version: number;
  sha256: string;
  metrics: { training: Record<string, number>; validation: Record<string, number> };
  /** The evaluation against production queued on the active benchmark, or null when the model has none. */
  evaluationId: string | null;
}

export interface TrainingFailedEvent {
  runId: string;
  model: string;
  /** A stable code: TRAINING_FAILED, VERIFICATION_FAILED, INVALID_TRAINING_DATA, REGISTRATION_FAILED, ... */
  code: string;
  reason: string;
}

export const TRAINING_EVENTS = defineEvents('training', {
  'training.started': event<TrainingStartedEvent>(
    'A training run started training. data: run id, model, family, base version, contribution ids, trigger.',
  ),
  'training.completed': event<TrainingCompletedEvent>(
    'A training run registered its model as a new version. data: run id, model, version, sha256, training and ' +
      'validation metrics, the queued evaluation id.',
  ),
  'training.failed': event<TrainingFailedEvent>(
    'A training run failed (not a cancel). data: run id, model, code, reason.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof TRAINING_EVENTS> {}
}
