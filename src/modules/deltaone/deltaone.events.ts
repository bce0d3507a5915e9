import { defineEvents, event, PayloadsOf } from 'src/platform/events';
import type { DecisionReason } from './domain/decision';

export interface EvaluationCompletedEvent {
  evaluationId: string;
  model: string;
  benchmarkId: string;
  baselineVersion: number;
  candidateVersion: number;
  status: 'completed' | 'failed';
  metric: string;
  baselineBps: number | null;
  candidateBps: number | null;
  deltaBps: number | null;
  n: number | null;
  reason: DecisionReason | null;
  error: string | null;
}

export interface DeltaOneDecidedEvent {
  evaluationId: string;
  model: string;
  tokenId: string;
  metric: string;
  benchmarkHash: string;
  baselineVersion: number;
  candidateVersion: number;
  baselineBps: number;
  candidateBps: number;
  deltaBps: number;
  n: number;
  pValue: number;
  decidedAt: string;
}

export interface DeltaOneRejectedEvent extends DeltaOneDecidedEvent {
  reason: Exclude<DecisionReason, 'ACCEPTED'>;
}

export const DELTAONE_EVENTS = defineEvents('deltaone', {
  'evaluation.completed': event<EvaluationCompletedEvent>(
    'An evaluation of two versions on a benchmark finished (or failed). data: evaluationId, model, benchmarkId, ' +
      'baselineVersion, candidateVersion, status, metric, baselineBps, candidateBps, deltaBps, n, reason, error.',
  ),
  'deltaone.achieved': event<DeltaOneDecidedEvent>(
    'A candidate version passed every DeltaOne gate. data: evaluationId, model, tokenId, metric, benchmarkHash, ' +
      'baselineVersion, candidateVersion, baselineBps, candidateBps, deltaBps, n, pValue, decidedAt.',
  ),
  'deltaone.rejected': event<DeltaOneRejectedEvent>(
    'A candidate version failed a DeltaOne gate. data: as deltaone.achieved plus reason (INSUFFICIENT_SAMPLES, ' +
      'COOLDOWN_ACTIVE, BENCHMARK_LEAKAGE, DELTA_BELOW_THRESHOLD or NOT_SIGNIFICANT).',
  ),
});

declare module 'src/platform/events/event-map' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventMap extends PayloadsOf<typeof DELTAONE_EVENTS> {}
}
