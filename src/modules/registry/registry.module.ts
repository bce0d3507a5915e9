import { Logger, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from 'src/platform/config';
import { AliasesController } from './aliases.controller';
import { AliasesService } from './aliases.service';
import { ARTIFACT_STORAGE, ArtifactStorage } from './artifact-storage';
import { sweepStaleUploads } from './artifact-upload';
import { LocalArtifactStorage } from './local-artifact.storage';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';
import { OnnxInspector } from './onnx-inspector';
import { RegistryService } from './registry.service';
import { S3ArtifactStorage } from './s3-artifact.storage';
import { VersionsController } from './versions.controller';
import { VersionsService } from './versions.service';

/** Staged uploads older than this are left-overs of a process that died mid-upload. */
const STALE_UPLOAD_MS = 6 * 60 * 60 * 1000;

export function createArtifactStorage(config: AppConfig): ArtifactStorage {
  if (config.ARTIFACT_STORAGE === 's3') {
    return new S3ArtifactStorage({
      bucket: config.S3_BUCKET!,
      prefix: config.S3_PREFIX,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      cacheDir: join(config.ARTIFACT_DIR, 'cache'),
    });
  }
  return new LocalArtifactStorage(config.ARTIFACT_DIR);
}

@Module({
  controllers: [ModelsController, VersionsController, AliasesController],
  providers: [
    ModelsService,
    VersionsService,
    AliasesService,
    RegistryService,
    OnnxInspector,
    { provide: ARTIFACT_STORAGE, inject: [AppConfig], useFactory: createArtifactStorage },
  ],
  exports: [RegistryService],
})
export class RegistryModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: RegistryService,
  ) {}

  async onModuleInit(): Promise<void> {
    const removed = await sweepStaleUploads(this.config.ARTIFACT_DIR, STALE_UPLOAD_MS);
    if (removed > 0) new Logger('Registry').log(`removed ${removed} stale staged upload(s)`);
  }

  onModuleDestroy(): void {
    this.registry.close();
  }
}
