export { ExperimentsModule } from './experiments.module';
export { ExperimentEntity } from './experiment.entity';
export { Assignment, HeaderReader, RunningExperiments } from './running-experiments';
export { EXPERIMENT_EVENTS, ExperimentStateEvent, GuardrailBreachedEvent } from './experiments.events';
export { ExperimentMetrics, ServedObservation, ShadowObservation } from './experiment-metrics';
export { PredictionLog, RoutedPrediction } from './prediction-log';
export {
  ClientRequestIdEntity,
  ExperimentOutcomeEntity,
  ExperimentUnitEntity,
  PredictionBatchEntity,
  VariantTotalsEntity,
} from './prediction-log.entity';
export { CheckOutcome, EXPERIMENT_CHECK_QUEUE, ExperimentChecks } from './experiment-checks';
