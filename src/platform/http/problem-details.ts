import { HttpException, HttpStatus } from '@nestjs/common';
import { errorCodes } from 'fastify';
import { DomainError, ErrorKind, FieldError } from '../errors';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  instance?: string;
  errors?: FieldError[];
  errorId?: string;
  [member: string]: unknown;
}

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Error codes Fastify raises while reading a request, before any handler runs. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_CONTENT_LENGTH',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Nest re-throws Fastify's body-parsing errors as plain HttpExceptions that keep only the message, so the
 * message is how we recognise them.
 */
const CODE_BY_FASTIFY_MESSAGE: Record<string, string> = Object.fromEntries(
  Object.entries(FASTIFY_CODES).flatMap(([fst, code]) => {
    const ctor = (errorCodes as Record<string, new () => Error>)[fst];
    return ctor ? [[new ctor().message, code]] : [];
  }),
);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export function titleFor(status: number): string {
  return (HttpStatus[status] ?? 'ERROR')
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

interface ErrorLike {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * Turns anything thrown into an RFC 9457 problem document. Returns undefined for errors we did not expect:
 * those become a 500 that shows only an error id.
 */
export function toProblem(exception: unknown, requestId: string): ProblemDocument | undefined {
  const base = (status: number, code: string, detail: string): ProblemDocument => ({
    type: problemType(code),
    title: titleFor(status),
    status,
    detail,
    code,
    requestId,
  });

  if (exception instanceof DomainError) {
    return { ...base(STATUS_BY_KIND[exception.kind], exception.code, exception.detail), ...exception.extra };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) return undefined;
    const body = exception.getResponse();
    const detail =
      typeof body === 'string'
        ? body
        : typeof (body as { message?: unknown }).message === 'string'
          ? (body as { message: string }).message
          : exception.message;
    const code =
      status === 404 && /^Cannot [A-Z]+ /.test(detail)
        ? 'ROUTE_NOT_FOUND'
        : (CODE_BY_FASTIFY_MESSAGE[detail] ?? CODE_BY_STATUS[status] ?? 'HTTP_ERROR');
    return base(status, code, detail);
  }
  const err = exception as ErrorLike | null;
  if (err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's JSON parser hands back the SyntaxError itself with statusCode 400 and no code.
    const fstCode =
      exception instanceof SyntaxError ? 'FST_ERR_CTP_INVALID_JSON_BODY' : typeof err.code === 'string' ? err.code : '';
    const code = FASTIFY_CODES[fstCode] ?? CODE_BY_STATUS[err.statusCode] ?? 'BAD_REQUEST';
    return base(err.statusCode, code, typeof err.message === 'string' ? err.message : titleFor(err.statusCode));
  }
  if (isDatabaseUnreachable(exception)) {
    return base(503, 'DATABASE_UNAVAILABLE', 'The database does not answer; retry shortly.');
  }
  return undefined;
}

/** SQLSTATE classes 08 (connection exception) and 57P (the server is shutting down or starting). */
const UNREACHABLE_SQLSTATE = /^(08...|57P0[1-3])$/;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** What node-postgres throws, without a code, when a connection breaks or cannot be had in time. */
const UNREACHABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** TypeORM's errors for a transaction whose connection broke under it (the pool released its query runner). */
const RELEASED_RUNNER = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

/**
 * A lost or refused database connection (PostgreSQL restarting, failing over): the request may be retried, so it is
 * a 503 rather than an error of ours. TypeORM's QueryFailedError carries the driver's code and message.
 */
function isDatabaseUnreachable(exception: unknown): boolean {
  const err = exception as (ErrorLike & { driverError?: ErrorLike; name?: unknown }) | null;
  if (!err || typeof err !== 'object') return false;
  if (typeof err.name === 'string' && RELEASED_RUNNER.has(err.name)) return true;
  for (const e of [err, err.driverError]) {
    if (!e) continue;
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE_SQLSTATE.test(code) || UNREACHABLE_CODES.has(code)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}
