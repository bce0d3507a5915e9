import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { EmbeddedAnvil } from './platform/chain';
import { AppConfig, ConfigValidationError, DEV_CHAIN_KEYS, loadEnvironment } from './platform/config';
import { EmbeddedPostgres } from './platform/database';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from './platform/http';
import { ClusterPrimary, serverProcesses } from './platform/process/cluster-primary';

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

/** DATABASE_URL, or the URL of the embedded PostgreSQL this process starts (it exits when that fails). */
async function database(
  config: AppConfig,
  logger: ConsoleLogger,
): Promise<{ url: string; embedded?: EmbeddedPostgres }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const embedded = new EmbeddedPostgres({
    dataDir: config.EMBEDDED_PG_DIR,
    port: config.EMBEDDED_PG_PORT,
    log: (message) => logger.log(message, 'EmbeddedPostgres'),
  });
  try {
    return { url: await embedded.start(), embedded };
  } catch (err) {
    logger.error(`could not start the embedded PostgreSQL: ${(err as Error).message}`, undefined, 'Bootstrap');
    process.exit(1);
  }
}

function printDocsUrl(config: AppConfig, logger: ConsoleLogger): void {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const base = `http://${host}:${config.PORT}`;
  logger.log(`listening on ${base}; API docs at ${base}/docs`, 'Bootstrap');
  process.stdout.write(`\n  API docs: ${base}/docs\n\n`);
}

/**
 * Stops accepting connections and waits up to SHUTDOWN_TIMEOUT_MS for the requests in flight, before any module is
 * torn down (Nest's own close runs the modules' destroy hooks first and closes HTTP after them, so a request could
 * still arrive, or be running, while the job workers and storage clients stop). Requests still running then are cut.
 */
async function drainHttp(app: NestFastifyApplication, config: AppConfig, logger: ConsoleLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(true), config.SHUTDOWN_TIMEOUT_MS);
  });
  const fastify = app.getHttpAdapter().getInstance();
  const drained = fastify.close().then(() => false);
  if (await Promise.race([drained, timedOut])) {
    logger.warn(`requests still running after ${config.SHUTDOWN_TIMEOUT_MS} ms are cut`, 'Bootstrap');
    fastify.server.closeAllConnections();
    await drained.catch(() => undefined);
  }
  clearTimeout(timer);
}

/** One server process: the whole application (in a cluster, one replica of it). */
async function runServer(config: AppConfig, logger: ConsoleLogger): Promise<void> {
  const { url: databaseUrl, embedded } = await database(config, logger);
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
      if (app) await drainHttp(app, config, logger);
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
  if (cluster.isPrimary) printDocsUrl(config, logger);
}

/**
 * WEB_CONCURRENCY > 1: this process owns the embedded PostgreSQL and chain (when they are used) and runs the server
 * processes, which reach them by URL like any replica reaches shared services.
 */
async function runPrimary(config: AppConfig, logger: ConsoleLogger, processes: number): Promise<void> {
  const { url, embedded } = await database(config, logger);
  const env: Record<string, string> = { DATABASE_URL: url };
  let anvil: EmbeddedAnvil | undefined;
  if (config.CHAIN_ENABLED && !config.ETH_RPC_URL) {
    anvil = new EmbeddedAnvil({
      dir: config.EMBEDDED_CHAIN_DIR,
      port: config.EMBEDDED_CHAIN_PORT,
      chainId: config.CHAIN_ID,
      log: (message) => logger.log(message, 'Chain'),
    });
    try {
      env.ETH_RPC_URL = await anvil.start();
    } catch (err) {
      logger.error(`could not start the embedded chain: ${(err as Error).message}`, undefined, 'Bootstrap');
      embedded?.stop();
      process.exit(1);
    }
    env.MINTER_PRIVATE_KEY = config.MINTER_PRIVATE_KEY ?? DEV_CHAIN_KEYS[0];
  }
  const primary = new ClusterPrimary({
    processes,
    env,
    stopTimeoutMs: config.SHUTDOWN_TIMEOUT_MS + 5000,
    log: (message) => logger.log(message, 'Cluster'),
    error: (message) => logger.error(message, undefined, 'Cluster'),
  });
  let stopping = false;
  const stop = async (why: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${why}: stopping the server processes`, 'Cluster');
    await primary.stop();
    await anvil?.stop();
    embedded?.stop();
    logger.log('stopped', 'Bootstrap');
    process.exit(code);
  };
  process.once('SIGINT', () => void stop('SIGINT received', 0));
  process.once('SIGTERM', () => void stop('SIGTERM received', 0));
  try {
    await primary.start((reason) => void stop(reason, 1));
  } catch (err) {
    logger.error(`could not start: ${(err as Error).message}`, undefined, 'Bootstrap');
    await stop('start failed', 1);
  }
  printDocsUrl(config, logger);
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const logger = new ConsoleLogger({ json: true, logLevels: LEVELS[config.LOG_LEVEL] });
  const processes = serverProcesses(config.WEB_CONCURRENCY);
  if (processes > 1 && cluster.isPrimary) return runPrimary(config, logger, processes);
  return runServer(config, logger);
}

void bootstrap();
