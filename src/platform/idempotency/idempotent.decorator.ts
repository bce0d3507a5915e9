import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT } from '../http/problem.dto';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** The route honours `Idempotency-Key` (see IdempotencyService). */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes retries safe: the same key with the same body replays the first answer (200, header Idempotent-Replayed: true) for 24 hours',
    }),
    ApiResponse({
      status: 409,
      description: 'A request with this Idempotency-Key is still running (IDEMPOTENCY_KEY_IN_USE)',
      content: PROBLEM_CONTENT,
    }),
    ApiResponse({
      status: 422,
      description: 'The Idempotency-Key was used with a different request (IDEMPOTENCY_KEY_REUSED)',
      content: PROBLEM_CONTENT,
    }),
  );
