export { ExperimentsModule } from './experiments.module';
export { ExperimentEntity } from './experiment.entity';
export { Assignment, HeaderReader, RunningExperiments } from './running-experiments';
export { EXPERIMENT_EVENTS, ExperimentStateEvent } from './experiments.events';
