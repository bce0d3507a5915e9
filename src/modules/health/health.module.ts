import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthMetrics } from './health.metrics';
import { DatabaseHealthIndicator, JobsHealthIndicator, RedisHealthIndicator } from './health.indicators';
import { HealthService } from './health.service';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [HealthService, HealthMetrics, DatabaseHealthIndicator, RedisHealthIndicator, JobsHealthIndicator],
})
export class HealthModule {}
