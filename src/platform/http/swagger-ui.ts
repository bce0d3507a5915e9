import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dirname } from 'node:path';

/**
 * Swagger UI at /docs, loading the document from /docs-json at run time.
 *
 * @nestjs/swagger's own page inlines the document into its init script with String.prototype.replace, so a `$``
 * or `$'` anywhere in the document's prose is read as a replacement pattern and the script comes out cut in half
 * (nestjs/swagger#4119). Serving a fixed init script that fetches the JSON cannot break on what the document holds,
 * and the browser caches the large bundle separately from the document.
 */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

const TITLE = 'DeltaOne ML platform API';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${TITLE}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  <style>body { margin: 0; } .swagger-ui .info { margin: 32px 0 16px; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-init.js"></script>
</body>
</html>
`;

const INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    presets: [SwaggerUIBundle.presets.apis],
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    filter: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
  });
};
`;

export function setupSwaggerUi(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  void fastify.register(fastifyStatic, {
    root: dirname(require.resolve('swagger-ui-dist/package.json')),
    prefix: '/docs/',
    decorateReply: false,
    index: false,
    allowedPath: (path) => ASSETS.has(path.replace(/^\/docs\//, '').replace(/^\//, '')),
    maxAge: '1h',
  });
  const page = (_: unknown, reply: { type: (t: string) => { send: (b: string) => void } }): void =>
    reply.type('text/html; charset=utf-8').send(PAGE);
  fastify.get('/docs', page);
  fastify.get('/docs/', (_, reply) => reply.redirect('/docs'));
  fastify.get('/docs/swagger-ui-init.js', (_, reply) => reply.type('application/javascript; charset=utf-8').send(INIT));
}
