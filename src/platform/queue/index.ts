export { QueueModule } from './queue.module';
export { deadLetterQueue, EnqueueOptions, JobContext, jobIdFor, QueueDefinition, QueueService } from './queue.service';
export { InvalidJobPayloadError, JobProcessor, Processor, ProcessorOptions } from './processor';
export { JobError } from './jobs.errors';
