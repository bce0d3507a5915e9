import { defineEvents, event, PayloadsOf } from 'src/platform/events';
import type { Variant } from './experiments.rules';

export interface ExperimentStateEvent {
  experiment: { id: string; name: string };
  model: { id: string; name: string };
  status: string;
  variants: Variant[];
  /** The variant promoted to production by the scheduled check (null when the experiment ended otherwise). */
  winner?: { variant: string; version: number } | null;
  /** Why it completed: `stopped` by a caller, or the decision's reason when it was promoted. */
  reason?: string | null;
}

export interface GuardrailBreachedEvent {
  experiment: { id: string; name: string };
  model: { id: string; name: string };
  variant: { name: string; version: number };
  guardrail: { metric: string; max: number; observed: number | null };
  reason: string;
  /** The treatment's weight now: 0, it no longer receives units. */
  weight: number;
}

export const EXPERIMENT_EVENTS = defineEvents('experiments', {
  'experiment.started': event<ExperimentStateEvent>(
    "An A/B experiment started routing its model's traffic. data: experiment, model, status, variants.",
  ),
  'experiment.completed': event<ExperimentStateEvent>(
    "An A/B experiment ended (stopped, or its winner promoted to production by the scheduled check); its model's " +
      'traffic goes to production again. data: experiment, model, status, variants, winner, reason.',
  ),
  'experiment.guardrail_breached': event<GuardrailBreachedEvent>(
    'A treatment of a running A/B experiment broke a guardrail; the scheduled check set its weight to 0. data: ' +
      'experiment, model, variant, guardrail (metric, max, observed), reason, weight.',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof EXPERIMENT_EVENTS> {}
}
