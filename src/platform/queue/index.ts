export { QueueModule } from './queue.module';
export { deadLetterQueue, EnqueueOptions, JobContext, QueueDefinition, QueueService } from './queue.service';
