import { Module } from '@nestjs/common';
import { WebhooksModule } from 'src/modules/webhooks';
import { RetentionMetrics } from './retention.metrics';
import { RetentionService } from './retention.service';

@Module({
  imports: [WebhooksModule],
  providers: [RetentionService, RetentionMetrics],
  exports: [RetentionService],
})
export class RetentionModule {}
