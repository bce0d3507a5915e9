import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from './api-key-token';
import { ApiKeysService } from './api-keys.service';
import { AuthError } from './auth.errors';
import { PUBLIC_KEY, SCOPES_KEY } from './decorators';
import { hasScopes, Principal, Scope } from './scopes';

interface Rule {
  isPublic: boolean;
  required: Scope[] | undefined;
}

/** Global and deny-by-default: a route must be @Public() or name its scopes with @Scopes(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly rules = new WeakMap<object, WeakMap<object, Rule>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /**
   * Not async: a key the cache knows is answered at once (no promise per request, see ApiKeysService.known); only
   * a key the database must be asked about waits.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const { isPublic, required } = this.ruleOf(context.getClass(), context.getHandler());
    if (isPublic) return true;
    if (!required) {
      throw new AuthError('ROUTE_NOT_DECLARED', 'This route declares no access rule, so it is closed to everyone.');
    }

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const key = presentedKey(request.headers);
    if (!key) {
      this.challenge(http.getResponse<FastifyReply>());
      throw new AuthError('API_KEY_MISSING', 'Send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>".');
    }
    const known = this.apiKeys.known(key);
    if (known !== undefined) return this.admit(context, known, required);
    return this.apiKeys.authenticate(key).then((principal) => this.admit(context, principal, required));
  }

  private admit(context: ExecutionContext, principal: Principal | null, required: Scope[]): true {
    const http = context.switchToHttp();
    if (!principal) {
      this.challenge(http.getResponse<FastifyReply>(), 'invalid_token');
      throw new AuthError('API_KEY_INVALID', 'The API key is unknown, revoked or expired.');
    }
    if (!hasScopes(principal, required)) {
      const missing = required.filter((s) => !principal.scopes.includes(s));
      throw new AuthError('INSUFFICIENT_SCOPE', `This route needs the scope(s): ${missing.join(', ')}.`, {
        requiredScopes: required,
      });
    }
    http.getRequest<FastifyRequest>().principal = principal;
    return true;
  }

  /** A route's access rule, read from its metadata once (decorators do not change at run time). */
  private ruleOf(controller: object, handler: object): Rule {
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new WeakMap()));
    let rule = byHandler.get(handler);
    if (!rule) {
      const targets = [handler, controller] as Parameters<Reflector['getAllAndOverride']>[1];
      rule = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        required: this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets),
      };
      byHandler.set(handler, rule);
    }
    return rule;
  }

  private challenge(reply: FastifyReply, error?: string): void {
    void reply.header('www-authenticate', error ? `Bearer error="${error}"` : 'Bearer');
  }
}
