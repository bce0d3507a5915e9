export * from './trainers';
export { TrainingModule } from './training.module';
export { StartTraining, TRAINING_RUN_QUEUE, TrainingRunsService } from './training-runs.service';
export { TRAINING_POLICY_QUEUE, TrainingPolicy, TrainingPolicyService } from './training-policy.service';
export { TrainingPolicyEntity } from './training-policy.entity';
export { TrainingRunData, TrainingRunEntity, TrainingRunStatus, TRAINING_RUN_STATUSES } from './training-run.entity';
export { TRAINING_EVENTS, TrainingCompletedEvent, TrainingFailedEvent, TrainingStartedEvent } from './training.events';
