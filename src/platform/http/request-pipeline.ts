import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Answered } from './lean-request';
import { problemAnswer, ProblemAnswer, ProblemObserver, ProblemRequest } from './problem-details.filter';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is a sane token; otherwise the server makes one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidV4();
}

/** Random bytes for request ids, 16 per id, refilled when spent (as crypto.randomUUID buffers its entropy). */
const entropy = Buffer.alloc(16 * 128);
let entropyAt = entropy.length;
const uuidBytes = Buffer.alloc(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A random (version 4) UUID, as crypto.randomUUID makes one, written into a buffer and read out as one string:
 * randomUUID joins 20 strings per id (a rope of about 600 bytes per request, flattened again when it is written).
 */
export function uuidV4(): string {
  if (entropyAt === entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = entropy[entropyAt + i];
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidBytes[at++] = 0x2d;
    uuidBytes[at++] = HEX[byte >> 4];
    uuidBytes[at++] = HEX[byte & 0x0f];
  }
  entropyAt += 16;
  return uuidBytes.toString('latin1', 0, 36);
}

/**
 * The per-request work both ways of serving a request share (Fastify's hooks and the direct path): the request
 * id, the answered request's metrics and access log, and the error answer. One object, so the two cannot drift.
 */
export class RequestPipeline {
  constructor(
    private readonly observe: (answered: Answered) => void,
    private readonly errorLogger: Logger = new Logger('Errors'),
    /** Counts refused and failed answers (e.g. 401/403 in auth_failures_total). */
    private readonly observeProblem?: ProblemObserver,
  ) {}

  /** The HTTP metrics and, when `logRequests`, one access-log line per answered request. */
  static observing(
    observeHttp: (method: string, route: string, status: number, seconds: number) => void,
    logRequests: boolean,
    observeProblem?: ProblemObserver,
    logger = new Logger('HTTP'),
  ): RequestPipeline {
    return new RequestPipeline(
      ({ id, method, url, route, status, ms }) => {
        observeHttp(method, route, status, ms / 1000);
        if (logRequests) {
          logger.log({ requestId: id, method, url, route, status, durationMs: Math.round(ms * 100) / 100 });
        }
      },
      new Logger('Errors'),
      observeProblem,
    );
  }

  requestId(req: IncomingMessage): string {
    return requestIdFor(req);
  }

  answered(answered: Answered): void {
    this.observe(answered);
  }

  errorAnswer(err: unknown, request: ProblemRequest): ProblemAnswer {
    return problemAnswer(err, request, this.errorLogger, this.observeProblem);
  }

  /** Fastify's side: the request id goes out on every answer, and every answer is observed once. */
  installOn(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      void reply.header('x-request-id', request.id);
      done();
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      this.answered({
        id: request.id,
        method: request.method,
        url: request.url,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: reply.elapsedTime,
      });
      done();
    });
  }
}
