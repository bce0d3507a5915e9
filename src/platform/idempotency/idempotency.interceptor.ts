import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { IdempotencyService } from './idempotency.service';

/** What the handler of a streamed request answers with the fingerprint of the request once it has read it. */
type Fingerprinter = (fingerprint: unknown) => Promise<void>;

const FINGERPRINTER = Symbol('idempotency.fingerprinter');

/** Thrown through the handler when the key was already answered: the interceptor replays the stored answer. */
class Replay extends Error {
  constructor(readonly body: unknown) {
    super('Idempotency-Key already answered');
  }
}

/**
 * For a route whose body is a stream the handler reads itself (multipart): once read, the handler supplies what
 * identifies the request (e.g. the sha256 of the file and the form fields) and the key is claimed then. Returns
 * at once when there is no Idempotency-Key; does not return when the key was already answered (the interceptor
 * replays the answer); throws IDEMPOTENCY_KEY_REUSED or IDEMPOTENCY_KEY_IN_USE as for a JSON body.
 */
export async function claimIdempotencyKey(request: FastifyRequest, fingerprint: unknown): Promise<void> {
  const fingerprinter = (request as unknown as Record<symbol, Fingerprinter | undefined>)[FINGERPRINTER];
  if (fingerprinter) await fingerprinter(fingerprint);
}

/**
 * Makes a route honour `Idempotency-Key` (apply with `@Idempotent()`). Needs an authenticated route: keys are
 * scoped to the caller's owner. A replay answers 200 with `Idempotent-Replayed: true` and the first body. A JSON
 * request is identified by its parsed body, claimed before the handler runs; a multipart request by what its
 * handler passes to `claimIdempotencyKey` once it has read the stream.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !request.principal) return next.handle();
    const owner = request.principal.owner;
    const route = `${request.method} ${request.url.split('?')[0]}`;
    const replay = (body: unknown): Observable<unknown> => {
      void reply.status(200).header('idempotent-replayed', 'true');
      return of(body);
    };
    let claimed = false;
    // A claimed key stores the answer, or is released when the request fails (it can be retried).
    const handle = (): Observable<unknown> =>
      next.handle().pipe(
        mergeMap((body: unknown) =>
          claimed ? from(this.idempotency.complete(owner, key, reply.statusCode, body).then(() => body)) : of(body),
        ),
        catchError((err: unknown) => {
          if (err instanceof Replay) return replay(err.body);
          if (!claimed) return throwError(() => err);
          return from(this.idempotency.release(owner, key)).pipe(mergeMap(() => throwError(() => err)));
        }),
      );

    if (request.isMultipart()) {
      const fingerprinter: Fingerprinter = async (fingerprint) => {
        const claim = await this.idempotency.claim(owner, key, route, IdempotencyService.hash(route, fingerprint));
        if (claim.kind === 'replay') throw new Replay(claim.body);
        claimed = true;
      };
      (request as unknown as Record<symbol, Fingerprinter>)[FINGERPRINTER] = fingerprinter;
      return handle();
    }
    return from(this.idempotency.claim(owner, key, route, IdempotencyService.hash(route, request.body))).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'replay') return replay(claim.body);
        claimed = true;
        return handle();
      }),
    );
  }
}
