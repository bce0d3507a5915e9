import { Module } from '@nestjs/common';
import { RegistryModule } from 'src/modules/registry';
import { ExperimentMetrics } from './experiment-metrics';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';
import { RunningExperiments } from './running-experiments';

@Module({
  imports: [RegistryModule],
  controllers: [ExperimentsController],
  providers: [ExperimentsService, RunningExperiments, ExperimentMetrics],
  exports: [RunningExperiments, ExperimentMetrics],
})
export class ExperimentsModule {}
