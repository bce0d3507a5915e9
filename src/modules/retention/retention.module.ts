import { Module } from '@nestjs/common';
import { ExperimentsModule } from 'src/modules/experiments';
import { WebhooksModule } from 'src/modules/webhooks';
import { RetentionMetrics } from './retention.metrics';
import { RetentionProcessor } from './retention.processor';
import { RetentionService } from './retention.service';

@Module({
  imports: [WebhooksModule, ExperimentsModule],
  providers: [RetentionService, RetentionProcessor, RetentionMetrics],
  exports: [RetentionService],
})
export class RetentionModule {}
