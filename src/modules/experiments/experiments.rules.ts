import type { BucketLayout } from './assignment';

export const EXPERIMENT_STATUSES = ['draft', 'running', 'paused', 'completed', 'cancelled'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const EXPERIMENT_ACTIONS = ['start', 'pause', 'resume', 'stop'] as const;
export type ExperimentAction = (typeof EXPERIMENT_ACTIONS)[number];

export type MetricKind = 'proportion' | 'continuous';
export type MetricGoal = 'increase' | 'decrease';
export type GuardrailMetric = 'error_rate' | 'latency_p95_ms';

export interface Variant {
  name: string;
  /** The version it serves: given, or the alias's version when the experiment was created (then fixed). */
  version: number;
  /** The alias it was given by, if any (kept for the record; routing uses `version`). */
  alias: string | null;
  weight: number;
}

export interface Shadow {
  version: number;
  percent: number;
}

export interface PrimaryMetric {
  name: string;
  kind: MetricKind;
  direction: MetricGoal;
}

export interface Guardrail {
  metric: GuardrailMetric;
  max: number;
}

/** Everything routing needs of a running experiment (what every replica keeps in memory). */
export interface RoutingPlan {
  id: string;
  name: string;
  modelName: string;
  unitHeader: string;
  variants: Variant[];
  layout: BucketLayout;
  shadow: Shadow | null;
}

/**
 * The state machine: draft → running ⇄ paused → completed | cancelled. `stop` completes a running or paused
 * experiment and cancels a draft. Null: the action is not allowed from that state.
 */
export function nextStatus(from: ExperimentStatus, action: ExperimentAction): ExperimentStatus | null {
  switch (action) {
    case 'start':
      return from === 'draft' ? 'running' : null;
    case 'pause':
      return from === 'running' ? 'paused' : null;
    case 'resume':
      return from === 'paused' ? 'running' : null;
    case 'stop':
      if (from === 'draft') return 'cancelled';
      return from === 'running' || from === 'paused' ? 'completed' : null;
  }
}

/**
 * The moment the weights in force took effect: the key the units served under them are kept by. An experiment
 * started before `weightsSince` existed has its start instead.
 */
export function weightsEpoch(e: { weightsSince: Date | null; startedAt: Date | null; createdAt: Date }): Date {
  return e.weightsSince ?? e.startedAt ?? e.createdAt;
}
