import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemType, ProblemDocument, toProblem } from './problem-details';

/** Routes of the Open Inference Protocol answer `{"error": "..."}`, as the protocol says (DESIGN.md §5). */
const isInferenceProtocol = (url: string): boolean => url === '/v2' || url.startsWith('/v2/');

/** Told of every error answer (status and code), e.g. to count refused requests. */
export type ProblemObserver = (status: number, code: string) => void;

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly observe?: ProblemObserver) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendProblem(exception, request, reply, this.logger, this.observe);
  }
}

/** The request fields an error answer needs. */
export interface ProblemRequest {
  id: string;
  method: string;
  url: string;
}

/** What to answer for an error: status, content type and the document (a problem, or the protocol's error). */
export interface ProblemAnswer {
  status: number;
  contentType: string;
  body: ProblemDocument | { error: string };
}

export function problemAnswer(
  exception: unknown,
  request: ProblemRequest,
  logger: Logger,
  observe?: ProblemObserver,
): ProblemAnswer {
  let problem = toProblem(exception, request.id);
  if (!problem) {
    const errorId = randomUUID();
    logger.error({
      message: 'unhandled error',
      errorId,
      requestId: request.id,
      method: request.method,
      url: request.url,
      error:
        exception instanceof Error
          ? { name: exception.name, message: exception.message, stack: exception.stack }
          : exception,
    });
    problem = {
      type: problemType('INTERNAL_ERROR'),
      title: 'Internal Server Error',
      status: 500,
      detail: `An unexpected error occurred; quote error id ${errorId} when reporting it.`,
      code: 'INTERNAL_ERROR',
      requestId: request.id,
      errorId,
    } satisfies ProblemDocument;
  }
  observe?.(problem.status, problem.code);
  if (isInferenceProtocol(request.url.split('?')[0])) {
    // The protocol's error body is exactly {"error": "<message>"}; the request id stays in X-Request-Id.
    return { status: problem.status, contentType: 'application/json', body: { error: problem.detail } };
  }
  return { status: problem.status, contentType: PROBLEM_CONTENT_TYPE, body: problem };
}

export function sendProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
  observe?: ProblemObserver,
): void {
  const answer = problemAnswer(exception, request, logger, observe);
  if (reply.sent) return;
  void reply.status(answer.status).type(answer.contentType).send(answer.body);
}
