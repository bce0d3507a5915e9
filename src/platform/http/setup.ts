import multipart from '@fastify/multipart';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config';
import { MetricsService } from '../metrics';
import { APP_VERSION } from '../version';
import { installRawJson } from './raw-json';
import { installLeanRoutes } from './lean-route';
import { setupOpenApi } from './openapi';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation';

/** Everything the HTTP layer needs beyond the modules; used by main.ts, the OpenAPI script and the tests. */
export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  const logger = new Logger('HTTP');

  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  // Only JSON and multipart bodies; text/plain would reach DTOs as a string. The multipart parser streams parts
  // to the handler (nothing is buffered whole); routes pass their own limits to request.parts().
  fastify.removeContentTypeParser('text/plain');
  installRawJson(fastify);
  void fastify.register(multipart, { limits: { fileSize: config.MAX_ARTIFACT_MB * 1024 * 1024, files: 1, parts: 20 } });

  fastify.addHook('onRoute', (route) => {
    const routeConfig = route.config as { largeBody?: boolean } | undefined;
    if (routeConfig?.largeBody) route.bodyLimit = config.LARGE_BODY_LIMIT_BYTES;
  });
  installLeanRoutes(app, (hook) => fastify.addHook('onRoute', hook));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observeHttp(request.method, route, reply.statusCode, seconds);
    if (config.LOG_HTTP_REQUESTS) {
      logger.log({
        requestId: request.id,
        method: request.method,
        url: request.url,
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      });
    }
    done();
  });

  setupOpenApi(app, APP_VERSION);
}
