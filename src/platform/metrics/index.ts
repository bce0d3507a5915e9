export { MetricsModule } from './metrics.module';
export { inner, MetricsService } from './metrics.service';
