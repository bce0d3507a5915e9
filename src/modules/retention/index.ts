export { RetentionModule } from './retention.module';
export { RetentionService } from './retention.service';
export { RetentionRunEntity } from './retention-run.entity';
export { nextRunAt, RETENTION_KINDS, RETENTION_QUEUE, RetentionKind, RetentionReport } from './retention.kinds';
