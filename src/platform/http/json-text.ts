import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { mergeRouteConfig } from './lean-route';

/**
 * The JSON body of a route marked @JsonTextBody(), kept as text: a hot route can read a simple body straight
 * into what it needs and parse the rest only when asked. `parse()` is Fastify's own JSON parser, so its answers
 * (400 MALFORMED_JSON, prototype poisoning refused) are those of every other route.
 */
export class JsonText {
  constructor(
    readonly text: string,
    private readonly parser: (text: string) => unknown,
  ) {}

  parse(): unknown {
    return this.parser(this.text);
  }
}

export const JsonTextBody = (): MethodDecorator => mergeRouteConfig({ jsonText: true });

/** Replaces the application/json parser with one that hands @JsonTextBody() routes a JsonText. */
export function installJsonText(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const parse = (text: string): unknown => {
    const outcome: { error: Error | null; value: unknown } = { error: null, value: undefined };
    void parseJson(undefined as never, text, (error: Error | null, value: unknown) =>
      Object.assign(outcome, { error, value }),
    );
    if (outcome.error) throw outcome.error;
    return outcome.value;
  };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, ((request, text, done) => {
    const asText = (request.routeOptions.config as { jsonText?: boolean }).jsonText && text.length > 0;
    if (asText) done(null, new JsonText(text, parse));
    else void parseJson(request, text, done);
  }) as FastifyBodyParser<string>);
}
