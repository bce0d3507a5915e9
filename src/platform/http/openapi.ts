import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemDto } from './problem.dto';
import { setupSwaggerUi } from './swagger-ui';

const sections: Array<string | (() => string)> = [];

/**
 * Adds a Markdown section to the API description (for example the webhook event catalogue). Modules call it when
 * they are loaded, so platform/ needs no import from modules/; sections keep the order in which modules load. A
 * function is called when the document is built (for text that depends on modules loaded later).
 */
export function addApiDescription(section: string | (() => string)): void {
  if (!sections.includes(section)) sections.push(section);
}

const INTRO = `Register ONNX models, serve them, route traffic between versions, take data contributions, and reward
DeltaOne improvements with ERC-20 tokens, with signed webhooks for every step.

**Run it:** \`npm install && npm start\` (the server and its own PostgreSQL, nothing else to install);
\`npm install && npm test\` runs the whole suite.

**Get a key:** the first start prints a bootstrap admin API key (or set \`ADMIN_API_KEY\`). Press **Authorize**,
paste it under \`bearer\`, and every **Try it out** below sends it; the page remembers it across reloads. Make
narrower keys with \`POST /api/v1/api-keys\`. Each operation lists the scopes it needs (\`x-required-scopes\`).

Every error is \`application/problem+json\` (RFC 9457) with a stable \`code\` and the \`requestId\` (also in the
\`X-Request-Id\` header). Routes under \`/v2\` follow the Open Inference Protocol and answer errors as
\`{"error": "..."}\`.`;

/** Tags in the order of the flow: get a key, register a model, serve it, improve it, hear about it. */
const TAGS: Array<[string, string]> = [
  ['api-keys', 'API keys and their scopes'],
  ['models', 'The model registry: models, versions, artifacts, aliases, promotion, lineage'],
  ['inference', 'Predictions from a model version'],
  ['open-inference-protocol', 'The Open Inference Protocol v2 (KServe, Triton), with its repository extension'],
  ['contributions', 'Training data from contributors: validated, scanned for personal data, hashed, deduplicated'],
  ['datasets', "A model's benchmarks and training sets: typed, checked and hashed like contributions"],
  ['contributors', "A contributor's own data: export and erasure, proven by a wallet signature"],
  ['webhooks', 'Signed, retried, replayable event deliveries'],
  ['privacy', 'Personal data detection'],
  ['jobs', 'Durable jobs: their state, retries and last error'],
  ['audit', 'The append-only, hash-chained log of every write'],
  ['health', 'Liveness, readiness, metrics'],
];

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('DeltaOne ML platform')
    .setDescription(INTRO.concat(sections.map((s) => `\n\n${typeof s === 'function' ? s() : s}`).join('')))
    .setVersion(version)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'This server')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer dok_...`' },
      'bearer',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key in a header' },
      'api-key',
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDto] });
  // No `servers` means "the host that served the document"; an empty list is invalid OpenAPI.
  if (document.servers?.length === 0) delete document.servers;
  // A public route says so with an empty requirement instead of leaving its security unstated.
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as Array<{ security?: unknown[] }>) {
      if (typeof operation === 'object' && operation && !('security' in operation)) operation.security = [];
    }
  }
  return document;
}

/** The document at /docs-json; the page at /docs is ours (swagger-ui.ts). */
export function setupOpenApi(app: NestFastifyApplication, version: string): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, version), {
    ui: false,
    raw: ['json'],
    jsonDocumentUrl: 'docs-json',
  });
  setupSwaggerUi(app);
}
