export { AcceptedDeltaOne, AcceptedVersionRef, REWARDS_AWARD_QUEUE } from './deltaone.contract';
export { DeltaOneModule } from './deltaone.module';
export { EvaluationsService, StartEvaluation } from './evaluations.service';
export {
  DELTAONE_EVENTS,
  DeltaOneDecidedEvent,
  DeltaOneRejectedEvent,
  EvaluationCompletedEvent,
} from './deltaone.events';
export { DeltaOneSettingsEntity } from './deltaone-settings.entity';
export { EvaluationEntity, EvaluationOutcomesEntity } from './evaluation.entity';
export { DECISION_REASONS, DecisionReason } from './domain/decision';
export { scoreBenchmark, ScoringJob } from './benchmark-scoring';
export { BenchmarkMatrixCache } from './benchmark-matrix-cache';
