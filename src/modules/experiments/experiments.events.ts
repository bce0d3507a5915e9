import { defineEvents, event, PayloadsOf } from 'src/platform/events';
import type { Variant } from './experiments.rules';

export interface ExperimentStateEvent {
  experiment: { id: string; name: string };
  model: { id: string; name: string };
  status: string;
  variants: Variant[];
}

export const EXPERIMENT_EVENTS = defineEvents('experiments', {
  'experiment.started': event<ExperimentStateEvent>(
    "An A/B experiment started routing its model's traffic. data: experiment, model, status, variants.",
  ),
  'experiment.completed': event<ExperimentStateEvent>(
    "An A/B experiment was stopped; its model's traffic goes to production again. data: experiment, model, " +
      'status, variants.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof EXPERIMENT_EVENTS> {}
}
