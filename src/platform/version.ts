import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // src/ in tests, dist/src/ in production
    }
  }
  return '0.0.0';
}

/** The version in package.json, reported by /health and the OpenAPI document. */
export const APP_VERSION = readVersion();
