import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Inference's domain code, which must not depend on the HTTP layer (its controllers are the adapters). */
const DOMAIN = [
  'inference.service.ts',
  'row-encoder.ts',
  'version-router.ts',
  'engine-cache.ts',
  'prediction-cache.ts',
  'result-cache.ts',
  'production-fallback.ts',
];

describe('inference domain code', () => {
  it.each(DOMAIN)('should import nothing from platform/http or fastify when it is %s', (file) => {
    const text = readFileSync(join(__dirname, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((i) => i.includes('platform/http') || i === 'fastify')).toEqual([]);
  });
});
