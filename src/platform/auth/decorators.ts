import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT } from '../http/problem.dto';
import { Principal, Scope } from './scopes';

export const PUBLIC_KEY = 'auth:public';
export const SCOPES_KEY = 'auth:scopes';

/** The route needs no API key. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-required-scopes', []));

/**
 * The route needs a valid API key holding every listed scope (`admin` holds all). With no scope listed,
 * any valid key will do. A route with neither this nor @Public() is refused to everyone.
 */
export const Scopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({
      description: 'Missing or invalid API key (codes API_KEY_MISSING, API_KEY_INVALID)',
      content: PROBLEM_CONTENT,
    }),
    ApiForbiddenResponse({
      description: `The key lacks a required scope (code INSUFFICIENT_SCOPE)${scopes.length ? `; needs ${scopes.join(', ')}` : ''}`,
      content: PROBLEM_CONTENT,
    }),
  );

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The authenticated caller of a route guarded by @Scopes. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without @Scopes');
  return principal;
});
