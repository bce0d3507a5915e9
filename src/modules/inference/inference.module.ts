import { Module } from '@nestjs/common';
import { RegistryModule } from 'src/modules/registry';
import { InferenceMetrics } from './inference.metrics';
import { InferenceService } from './inference.service';
import { OipController } from './oip.controller';
import { PredictController } from './predict.controller';
import { RegistryVersionSource } from './registry-version-source';
import { VERSION_SOURCE } from './version-source';

@Module({
  imports: [RegistryModule],
  controllers: [PredictController, OipController],
  providers: [InferenceService, InferenceMetrics, { provide: VERSION_SOURCE, useClass: RegistryVersionSource }],
  exports: [InferenceService],
})
export class InferenceModule {}
