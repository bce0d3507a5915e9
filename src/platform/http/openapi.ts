import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto';

const sections: string[] = [];

/**
 * Adds a Markdown section to the API description (for example the webhook event catalogue). Modules call it when
 * they are loaded, so platform/ needs no import from modules/; sections keep the order in which modules load.
 */
export function addApiDescription(section: string): void {
  if (!sections.includes(section)) sections.push(section);
}

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('DeltaOne ML platform')
    .setDescription(
      [
        'Register ONNX models, serve them, route traffic between versions, take data contributions, and reward',
        'DeltaOne improvements. Every error is `application/problem+json` (RFC 9457) with a stable `code` and the',
        '`requestId` (also in the `X-Request-Id` header). Routes under `/v2` follow the Open Inference Protocol and',
        'answer errors as `{"error": "..."}`.',
      ]
        .join(' ')
        .concat(sections.map((s) => `\n\n${s}`).join('')),
    )
    .setVersion(version)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer dok_...`' },
      'bearer',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key in a header' },
      'api-key',
    )
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
}

export function setupOpenApi(app: INestApplication, version: string): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, version), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'DeltaOne ML platform API',
  });
}
