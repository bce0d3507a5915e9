import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobProcessors } from './job-processors';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { QueueService } from './queue.service';

@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [JobsController],
  providers: [QueueService, JobProcessors, JobsService],
  exports: [QueueService],
})
export class QueueModule {}
