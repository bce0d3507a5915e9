import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { createArtifactStorage, RegistryModule } from 'src/modules/registry';
import type { ArtifactStorage } from 'src/modules/registry';
import { AuthModule } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { DatasetsController } from './datasets.controller';
import { DATASET_STORAGE, DatasetsService } from './datasets.service';

@Module({
  imports: [AuthModule, RegistryModule],
  controllers: [DatasetsController],
  providers: [
    DatasetsService,
    // The artifact storage (local or S3, as configured), its own client: dataset files sit beside the artifacts.
    { provide: DATASET_STORAGE, inject: [AppConfig], useFactory: createArtifactStorage },
  ],
  exports: [DatasetsService],
})
export class DatasetsModule implements OnModuleDestroy {
  constructor(@Inject(DATASET_STORAGE) private readonly storage: ArtifactStorage) {}

  onModuleDestroy(): void {
    this.storage.close();
  }
}
