import { Module } from '@nestjs/common';
import { WebhooksModule } from 'src/modules/webhooks';
import { RetentionMetrics } from './retention.metrics';
import { RetentionProcessor } from './retention.processor';
import { RetentionService } from './retention.service';

@Module({
  imports: [WebhooksModule],
  providers: [RetentionService, RetentionProcessor, RetentionMetrics],
  exports: [RetentionService],
})
export class RetentionModule {}
