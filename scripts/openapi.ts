import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';
import { validateEnvironment } from '../src/platform/config';
import { buildOpenApiDocument, createFastifyAdapter, NEST_APP_OPTIONS } from '../src/platform/http';
import { APP_VERSION } from '../src/platform/version';

/**
 * Writes openapi.json from the app's metadata without connecting to anything or listening on a port
 * (Nest's preview mode builds the module graph but instantiates no provider). `--check` fails when the
 * committed file differs from what the code describes.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const config = validateEnvironment({});
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl: 'postgres://preview.invalid/none' }),
    createFastifyAdapter(config),
    { ...NEST_APP_OPTIONS, preview: true, logger: false },
  );
  const text = `${JSON.stringify(buildOpenApiDocument(app, APP_VERSION), null, 2)}\n`;
  await app.close();
  const file = join(__dirname, '..', '..', 'openapi.json');
  if (!check) {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (committed !== text) {
    process.stderr.write('openapi.json is stale: run `npm run openapi` and commit the result.\n');
    process.exit(1);
  }
  process.stdout.write('openapi.json is up to date\n');
}

void main();
