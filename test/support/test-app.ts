import { LoggerService, Module, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import TestAgent from 'supertest/lib/agent';
import request from 'supertest';
import { AppModule } from 'src/app.module';
import { AppConfig, validateEnvironment } from 'src/platform/config';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from 'src/platform/http';
import { createTestDatabase } from './test-database';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: AppConfig;
  databaseUrl: string;
  adminKey: string;
  /** Authorization header of the bootstrap admin key. */
  admin: { authorization: string };
  close: () => Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (for example to boot a second replica); otherwise a fresh one is made and dropped. */
  databaseUrl?: string;
  logger?: LoggerService | false;
  /** Modules added next to the application (for example test job processors). */
  imports?: ModuleMetadata['imports'];
}

@Module({})
class TestRootModule {}

/** The whole app, as `npm start` builds it, on a fresh database of the shared test PostgreSQL. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? db!.url;
  const config = validateEnvironment({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    LOG_HTTP_REQUESTS: 'false',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    RATE_LIMIT_ENABLED: 'false',
    JOBS_POLL_INTERVAL_MS: '500',
    // Suites that use the chain turn it on with chainEnv() (test/support/chain.ts).
    CHAIN_ENABLED: 'false',
    ...options.env,
  });
  const root = AppModule.forRoot({ config, databaseUrl });
  const app = await NestFactory.create<NestFastifyApplication>(
    options.imports ? { module: TestRootModule, imports: [root, ...options.imports] } : root,
    createFastifyAdapter(config),
    { ...NEST_APP_OPTIONS, logger: options.logger ?? false, abortOnError: false },
  );
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    databaseUrl,
    adminKey: TEST_ADMIN_KEY,
    admin: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    close: async () => {
      await app.close();
      await db?.drop();
    },
  };
}

/** Two replicas of the app on one database (pass REDIS_URL in `env` to share Redis too); `close` stops both. */
export async function createReplicas(
  env: Record<string, string>,
): Promise<{ a: TestApp; b: TestApp; close: () => Promise<void> }> {
  const a = await createTestApp({ env });
  const b = await createTestApp({ env, databaseUrl: a.databaseUrl });
  return {
    a,
    b,
    close: async () => {
      await b.app.close();
      await a.close();
    },
  };
}
