import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppConfig } from '../config';
import { requestIdFor } from './request-pipeline';

/**
 * Options for NestFactory.create. Fastify's own JSON parser (parsed as a string, prototype poisoning refused)
 * stays in place: Nest's replacement reads the body as a Buffer and builds a parser per request. No urlencoded
 * parser: the API takes JSON and multipart only.
 */
export const NEST_APP_OPTIONS = { bodyParser: false } as const;

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdFor,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Route parameters up to 300 characters (Fastify's default is 100): model aliases may be 256 long.
    routerOptions: { maxParamLength: 300 },
  });
}
