import { Module } from '@nestjs/common';
import { ExperimentsModule } from 'src/modules/experiments';
import { RegistryModule } from 'src/modules/registry';
import { EngineCache } from './engine-cache';
import { InferenceMetrics } from './inference.metrics';
import { InferenceService } from './inference.service';
import { OipController } from './oip.controller';
import { PredictController } from './predict.controller';
import { PredictionCache } from './prediction-cache';
import { ProductionFallback } from './production-fallback';
import { RegistryVersionSource } from './registry-version-source';
import { ShadowRunner } from './shadow-runner';
import { VERSION_SOURCE } from './version-source';
import { VersionRouter } from './version-router';

@Module({
  imports: [RegistryModule, ExperimentsModule],
  controllers: [PredictController, OipController],
  providers: [
    InferenceService,
    InferenceMetrics,
    VersionRouter,
    EngineCache,
    PredictionCache,
    ProductionFallback,
    ShadowRunner,
    { provide: VERSION_SOURCE, useClass: RegistryVersionSource },
  ],
  exports: [InferenceService],
})
export class InferenceModule {}
