export { MetricsModule } from './metrics.module';
export { boundCounter } from './bound-counter';
export type { Bound } from './bound-counter';
export { boundHistogram } from './bound-histogram';
export type { BoundObserver } from './bound-histogram';
export { inner, MetricsService } from './metrics.service';
