import 'reflect-metadata';
import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { AppConfig, ConfigValidationError, loadEnvironment } from './platform/config';
import { EmbeddedPostgres } from './platform/database';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from './platform/http';

const LEVELS: Record<AppConfig['LOG_LEVEL'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

function readConfig(): AppConfig {
  try {
    return loadEnvironment();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable, its default and its meaning.\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const logger = new ConsoleLogger({ json: true, logLevels: LEVELS[config.LOG_LEVEL] });

  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = new EmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      log: (message) => logger.log(message, 'EmbeddedPostgres'),
    });
    try {
      databaseUrl = await embedded.start();
    } catch (err) {
      logger.error(`could not start the embedded PostgreSQL: ${(err as Error).message}`, undefined, 'Bootstrap');
      process.exit(1);
    }
  }

  let app: NestFastifyApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining HTTP and stopping`, 'Bootstrap');
    const force = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting`, 'Bootstrap');
      embedded?.stop();
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5000);
    force.unref();
    try {
      await app?.close();
    } finally {
      embedded?.stop();
      logger.log('stopped', 'Bootstrap');
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ config, databaseUrl }),
      createFastifyAdapter(config),
      { ...NEST_APP_OPTIONS, logger, abortOnError: false },
    );
    configureApp(app);
    await app.listen(config.PORT, config.HOST);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason =
      e.code === 'EADDRINUSE' ? `port ${config.PORT} on ${config.HOST} is already in use (set PORT)` : e.message;
    logger.error(`could not start: ${reason}`, e.stack, 'Bootstrap');
    await app?.close().catch(() => undefined);
    embedded?.stop();
    process.exit(1);
  }
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const base = `http://${host}:${config.PORT}`;
  logger.log(`listening on ${base}; API docs at ${base}/docs`, 'Bootstrap');
  process.stdout.write(`\n  API docs: ${base}/docs\n\n`);
}

void bootstrap();
