export { IdempotencyKeyEntity } from './idempotency-key.entity';
export { claimIdempotencyKey, IdempotencyInterceptor } from './idempotency.interceptor';
export { IdempotencyModule } from './idempotency.module';
export { Claim, IdempotencyService } from './idempotency.service';
export { Idempotent } from './idempotent.decorator';
