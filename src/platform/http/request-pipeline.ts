import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Answered } from './lean-request';
import { problemAnswer, ProblemAnswer, ProblemObserver, ProblemRequest } from './problem-details.filter';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is a sane token; otherwise the server makes one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
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
