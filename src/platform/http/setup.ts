import multipart from '@fastify/multipart';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config';
import { MetricsService } from '../metrics';
import { APP_VERSION } from '../version';
import { installRawJson } from './raw-json';
import { Answered, DirectRoutes } from './direct-routes';
import { installLeanRoutes } from './lean-route';
import { setupOpenApi } from './openapi';
import { ProblemDetailsFilter } from './problem-details.filter';
import { installRequestContext } from './request-context';
import { createValidationPipe } from './validation';

/** Everything the HTTP layer needs beyond the modules; used by main.ts, the OpenAPI script and the tests. */
export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  const logger = new Logger('HTTP');

  app.useGlobalPipes(createValidationPipe());
  const observeProblem = (status: number, code: string): void => metrics.observeProblem(status, code);
  app.useGlobalFilters(new ProblemDetailsFilter(observeProblem));

  // Only JSON and multipart bodies; text/plain would reach DTOs as a string. The multipart parser streams parts
  // to the handler (nothing is buffered whole); routes pass their own limits to request.parts().
  fastify.removeContentTypeParser('text/plain');
  const parseJson = installRawJson(fastify);
  void fastify.register(multipart, { limits: { fileSize: config.MAX_ARTIFACT_MB * 1024 * 1024, files: 1, parts: 20 } });

  const answered = ({ id, method, url, route, status, ms }: Answered): void => {
    metrics.observeHttp(method, route, status, ms / 1000);
    if (config.LOG_HTTP_REQUESTS) {
      logger.log({ requestId: id, method, url, route, status, durationMs: Math.round(ms * 100) / 100 });
    }
  };
  const direct = new DirectRoutes(parseJson, answered, new Logger('Errors'), config.TRUST_PROXY, observeProblem);
  fastify.addHook('onRoute', (route) => {
    const routeConfig = route.config as { largeBody?: boolean } | undefined;
    if (routeConfig?.largeBody) route.bodyLimit = config.LARGE_BODY_LIMIT_BYTES;
  });
  installLeanRoutes(app, (hook) => fastify.addHook('onRoute', hook), direct, config.BODY_LIMIT_BYTES);
  // The direct path sees a request first; what it does not take goes to Fastify.
  const server: Server = app.getHttpServer();
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (listeners.length !== 1) throw new Error(`expected Fastify's one request listener, found ${listeners.length}`);
  const [viaFastify] = listeners;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!direct.take(req, res)) viaFastify(req, res);
  });
  fastify.addHook('onReady', (done) => {
    direct.setServing(true);
    done();
  });
  // Fastify answers 503 to new requests while closing; the direct path leaves them to it.
  fastify.addHook('preClose', (done) => {
    direct.setServing(false);
    done();
  });
  installRequestContext(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    answered({
      id: request.id,
      method: request.method,
      url: request.url,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: reply.elapsedTime,
    });
    done();
  });

  setupOpenApi(app, APP_VERSION);
}
