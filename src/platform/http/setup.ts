import multipart from '@fastify/multipart';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config';
import { MetricsService } from '../metrics';
import { APP_VERSION } from '../version';
import { DirectRoutes } from './direct-routes';
import { installLeanRoutes } from './lean-route';
import { installRawJson } from './raw-json';
import { RequestPipeline } from './request-pipeline';
import { setupOpenApi } from './openapi';
import { ProblemDetailsFilter } from './problem-details.filter';
import { installRequestContext } from './request-context';
import { createValidationPipe } from './validation';

/** Everything the HTTP layer needs beyond the modules; used by main.ts, the OpenAPI script and the tests. */
export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();

  app.useGlobalPipes(createValidationPipe());
  const observeProblem = (status: number, code: string): void => metrics.observeProblem(status, code);
  app.useGlobalFilters(new ProblemDetailsFilter(observeProblem));

  // Only JSON and multipart bodies; text/plain would reach DTOs as a string. The multipart parser streams parts
  // to the handler (nothing is buffered whole); routes pass their own limits to request.parts().
  fastify.removeContentTypeParser('text/plain');
  const parseJson = installRawJson(fastify);
  void fastify.register(multipart, { limits: { fileSize: config.MAX_ARTIFACT_MB * 1024 * 1024, files: 1, parts: 20 } });

  const pipeline = RequestPipeline.observing(
    (method, route, status, seconds) => metrics.observeHttp(method, route, status, seconds),
    config.LOG_HTTP_REQUESTS,
    observeProblem,
  );
  const direct = new DirectRoutes(parseJson, pipeline, config.TRUST_PROXY);
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
  pipeline.installOn(fastify);

  setupOpenApi(app, APP_VERSION);
}
