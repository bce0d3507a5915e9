import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { RawJson } from '../json';
import { mergeRouteConfig } from './route-config';

/**
 * The route's JSON body arrives as a RawJson (its bytes, parsed on demand) instead of parsed JSON.
 */
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
