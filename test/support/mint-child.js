// A server process for the kill -9 test: boots the app on the given database and chain, runs one reward's mint
// job, and after the transaction is sent (and recorded as submitted) prints SENT and hangs until killed.
// TypeScript is compiled on the fly with @swc/core, the way jest does it.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const swc = require('@swc/core');

const ROOT = join(__dirname, '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('src/')) request = join(ROOT, request);
  return resolve.call(this, request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

async function main() {
  const [databaseUrl, rewardId, envJson] = process.argv.slice(2);
  require('reflect-metadata');
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = require('src/app.module');
  const { validateEnvironment } = require('src/platform/config');
  const { ChainService } = require('src/platform/chain');
  const { MintService } = require('src/modules/rewards');
  const config = validateEnvironment({ NODE_ENV: 'test', LOG_LEVEL: 'error', ...JSON.parse(envJson) });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl }), { logger: false });
  const chain = app.get(ChainService);
  const mintBatch = chain.mintBatch.bind(chain);
  chain.mintBatch = (input) =>
    mintBatch({
      ...input,
      onSent: async (txHash) => {
        await input.onSent?.(txHash);
        process.stdout.write(`SENT ${txHash}\n`);
        await new Promise(() => undefined);
      },
    });
  await app.get(MintService).run(rewardId);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
