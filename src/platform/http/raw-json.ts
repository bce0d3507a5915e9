import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { mergeRouteConfig } from './lean-route';

/**
 * The JSON body of a route marked @RawJsonBody(), kept as its bytes: a hot route can read a simple body straight
 * into what it needs and parse the rest only when asked. `parse()` is Fastify's own JSON parser, so its answers
 * (400 MALFORMED_JSON, prototype poisoning refused) are those of every other route.
 */
export class RawJson {
  constructor(
    readonly bytes: Buffer,
    private readonly parser: (bytes: Buffer) => unknown,
  ) {}

  parse(): unknown {
    return this.parser(this.bytes);
  }
}

export const RawJsonBody = (): MethodDecorator => mergeRouteConfig({ rawJson: true });

/**
 * Replaces the application/json parser with one that hands @RawJsonBody() routes a RawJson; returns the parser
 * (for the direct path).
 */
export function installRawJson(fastify: FastifyInstance): (bytes: Buffer) => unknown {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const parse = (bytes: Buffer): unknown => {
    const outcome: { error: Error | null; value: unknown } = { error: null, value: undefined };
    void parseJson(undefined as never, bytes as never, (error: Error | null, value: unknown) =>
      Object.assign(outcome, { error, value }),
    );
    if (outcome.error) throw outcome.error;
    return outcome.value;
  };
  fastify.removeContentTypeParser('application/json');
  // Read as a Buffer for every route: Fastify's parser (secure-json-parse) takes a Buffer as well as a string.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, ((request, bytes, done) => {
    const asText = (request.routeOptions.config as { rawJson?: boolean }).rawJson && bytes.length > 0;
    if (asText) done(null, new RawJson(bytes, parse));
    else void parseJson(request, bytes as never, done);
  }) as FastifyBodyParser<Buffer>);
  return parse;
}
