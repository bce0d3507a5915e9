import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { IdempotencyService } from './idempotency.service';

/**
 * Makes a route honour `Idempotency-Key` (apply with `@Idempotent()`). Needs an authenticated route: keys are
 * scoped to the caller's owner. A replay answers 200 with `Idempotent-Replayed: true` and the first body.
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
    const hash = IdempotencyService.hash(route, request.body);

    return from(this.idempotency.claim(owner, key, route, hash)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'replay') {
          void reply.status(200).header('idempotent-replayed', 'true');
          return of(claim.body);
        }
        return next.handle().pipe(
          mergeMap((body: unknown) =>
            from(this.idempotency.complete(owner, key, reply.statusCode, body).then(() => body)),
          ),
          catchError((err: unknown) =>
            from(this.idempotency.release(owner, key)).pipe(mergeMap(() => throwError(() => err))),
          ),
        );
      }),
    );
  }
}
