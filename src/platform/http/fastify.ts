import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is a sane token; otherwise the server makes one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

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
