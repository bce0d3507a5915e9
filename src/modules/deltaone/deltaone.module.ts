import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DatasetsModule } from 'src/modules/datasets';
import { InferenceModule } from 'src/modules/inference';
import { RegistryModule } from 'src/modules/registry';
import { AuthModule } from 'src/platform/auth';
import { QueueService } from 'src/platform/queue';
import { REWARDS_AWARD_QUEUE } from './deltaone.contract';
import { DeltaOneController } from './deltaone.controller';
import { DeltaOneSettingsService } from './deltaone-settings.service';
import { EvaluationProcessor } from './evaluation.processor';
import { DeltaOneMetrics } from './deltaone.metrics';
import { EvaluationRunner } from './evaluation-runner';
import { BenchmarkMatrixCache } from './benchmark-matrix-cache';
import { EvaluationsService } from './evaluations.service';
import './deltaone.events';

@Module({
  imports: [AuthModule, RegistryModule, DatasetsModule, InferenceModule],
  controllers: [DeltaOneController],
  providers: [
    DeltaOneSettingsService,
    EvaluationsService,
    EvaluationRunner,
    EvaluationProcessor,
    DeltaOneMetrics,
    { provide: BenchmarkMatrixCache, useFactory: () => new BenchmarkMatrixCache() },
  ],
  exports: [EvaluationsService],
})
export class DeltaOneModule implements OnApplicationBootstrap {
  constructor(
    private readonly queue: QueueService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * An accepted decision is handed over on REWARDS_AWARD_QUEUE in the deciding transaction, so the queue must exist
   * even where the rewards processor does not run. At bootstrap, after the job system has defined the queues of
   * every processor at module init: the rewards processor's own definition, when it runs here, wins.
   */
  async onApplicationBootstrap(): Promise<void> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM pgboss.queue WHERE name = $1', [
      REWARDS_AWARD_QUEUE,
    ]);
    if (rows.length === 0) {
      await this.queue.define(REWARDS_AWARD_QUEUE, { retryLimit: 5, retryDelaySeconds: 10, retryBackoff: true });
    }
  }
}
