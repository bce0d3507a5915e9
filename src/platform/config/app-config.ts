import { AppEnvironment, appConfig } from './app.config';
import { AuthEnvironment, authConfig } from './auth.config';
import { CacheEnvironment, cacheConfig } from './cache.config';
import { ChainEnvironment, chainConfig } from './chain.config';
import { ContributionsEnvironment, contributionsConfig } from './contributions.config';
import { DatabaseEnvironment, databaseConfig } from './database.config';
import { HttpEnvironment, httpConfig } from './http.config';
import { InferenceEnvironment, inferenceConfig } from './inference.config';
import { JobsEnvironment, jobsConfig } from './jobs.config';
import { RateLimitEnvironment, rateLimitConfig } from './rate-limit.config';
import { RegistryEnvironment, registryConfig } from './registry.config';
import { RetentionEnvironment, retentionConfig } from './retention.config';
import { WebhooksEnvironment, webhooksConfig } from './webhooks.config';

/** Every area, in the order of `.env.example`. A new area is added here and to the interface below. */
export const CONFIG_AREAS = [
  appConfig,
  httpConfig,
  databaseConfig,
  cacheConfig,
  authConfig,
  rateLimitConfig,
  jobsConfig,
  inferenceConfig,
  webhooksConfig,
  registryConfig,
  contributionsConfig,
  retentionConfig,
  chainConfig,
] as const;

/**
 * The flat view of every area's variables, injectable by this class (`constructor(config: AppConfig)`). Code
 * that needs one area injects that area's namespace instead (`@Inject(httpConfig.KEY)`).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the class is the DI token, the interface lists each area's properties once
export interface AppConfig
  extends
    AppEnvironment,
    HttpEnvironment,
    DatabaseEnvironment,
    CacheEnvironment,
    AuthEnvironment,
    RateLimitEnvironment,
    JobsEnvironment,
    InferenceEnvironment,
    WebhooksEnvironment,
    RegistryEnvironment,
    ContributionsEnvironment,
    RetentionEnvironment,
    ChainEnvironment {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class AppConfig {
  /** Every default. */
  constructor() {
    for (const area of CONFIG_AREAS) Object.assign(this, new area.schema());
  }
}
