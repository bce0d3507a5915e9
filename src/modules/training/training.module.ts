import { Module } from '@nestjs/common';
import { ContributionsModule } from 'src/modules/contributions';
import { DatasetsModule } from 'src/modules/datasets';
import { DeltaOneModule } from 'src/modules/deltaone';
import { RegistryModule } from 'src/modules/registry';
import { AuthModule } from 'src/platform/auth';
import { TrainingController } from './training.controller';
import { TrainingEvaluations } from './training-evaluations';
import { TrainingExecutor } from './training-executor';
import { TrainingMetrics } from './training.metrics';
import { TrainingPolicyProcessor } from './training-policy.processor';
import { TrainingPolicyService } from './training-policy.service';
import { TrainingRunProcessor } from './training.processor';
import { TrainingRunsService } from './training-runs.service';
import './training.events';

@Module({
  imports: [AuthModule, RegistryModule, DatasetsModule, ContributionsModule, DeltaOneModule],
  controllers: [TrainingController],
  providers: [
    TrainingMetrics,
    TrainingRunsService,
    TrainingEvaluations,
    TrainingExecutor,
    TrainingRunProcessor,
    TrainingPolicyService,
    TrainingPolicyProcessor,
  ],
  exports: [TrainingRunsService, TrainingPolicyService],
})
export class TrainingModule {}
