export { MetricsModule } from './metrics.module';
export { boundCounter } from './bound-counter';
export type { Bound } from './bound-counter';
export { inner, MetricsService } from './metrics.service';
