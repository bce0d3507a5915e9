import { Module } from '@nestjs/common';
import { RegistryModule } from 'src/modules/registry';
import { ExperimentMetrics } from './experiment-metrics';
import { ExperimentResultsService } from './experiment-results';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';
import { OutcomesController } from './outcomes.controller';
import { OutcomesService } from './outcomes.service';
import { PredictionLog } from './prediction-log';
import { RunningExperiments } from './running-experiments';

@Module({
  imports: [RegistryModule],
  controllers: [ExperimentsController, OutcomesController],
  providers: [
    ExperimentResultsService,
    ExperimentsService,
    RunningExperiments,
    ExperimentMetrics,
    PredictionLog,
    OutcomesService,
  ],
  exports: [RunningExperiments, ExperimentMetrics, PredictionLog],
})
export class ExperimentsModule {}
