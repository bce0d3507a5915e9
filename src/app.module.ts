import { DynamicModule, Module } from '@nestjs/common';
import { ENTITIES } from './entities';
import { ContributionsModule } from './modules/contributions';
import { DatasetsModule } from './modules/datasets';
import { DeltaOneModule } from './modules/deltaone';
import { ExperimentsModule } from './modules/experiments';
import { HealthModule } from './modules/health';
import { InferenceModule } from './modules/inference';
import { PrivacyModule } from './modules/privacy';
import { RetentionModule } from './modules/retention';
import { RewardsModule } from './modules/rewards';
import { TrainingModule } from './modules/training';
import { WebhooksModule } from './modules/webhooks';
import { RegistryModule } from './modules/registry';
import { AuditModule } from './platform/audit';
import { AuthModule } from './platform/auth';
import { CacheModule, RedisModule } from './platform/cache';
import { ChainModule } from './platform/chain';
import { AppConfig, ConfigModule } from './platform/config';
import { DatabaseModule } from './platform/database';
import { EventsModule } from './platform/events';
import { IdempotencyModule } from './platform/idempotency';
import { MetricsModule } from './platform/metrics';
import { QueueModule } from './platform/queue';

export interface AppOptions {
  config: AppConfig;
  /** DATABASE_URL, or the URL of the embedded server main.ts started. */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        DatabaseModule.forRoot(options.databaseUrl, ENTITIES),
        RedisModule,
        CacheModule,
        QueueModule,
        ChainModule,
        EventsModule,
        IdempotencyModule,
        MetricsModule,
        AuditModule,
        AuthModule,
        HealthModule,
        PrivacyModule,
        WebhooksModule,
        RegistryModule,
        InferenceModule,
        ExperimentsModule,
        ContributionsModule,
        DatasetsModule,
        DeltaOneModule,
        TrainingModule,
        RetentionModule,
        RewardsModule,
      ],
    };
  }
}
