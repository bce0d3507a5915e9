import { CanActivate, ForbiddenException, INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA } from '@nestjs/common/constants';
import { isObservable, lastValueFrom } from 'rxjs';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { JsonText } from '../json';
import type { DirectRoutes } from './direct-routes';
import { LeanContext } from './lean-context';
import type { LeanCall, LeanReply, LeanRequest } from './lean-request';
import { REQUEST_GUARDS } from './request-guards';
import { mergeRouteConfig } from './route-config';

interface LeanTarget {
  controller: Type<unknown>;
  method: string;
}

type LeanHandler = (request: LeanRequest, reply: LeanReply) => unknown;

/**
 * For the few hot routes (inference): the route stays a declared, documented controller method, but Fastify
 * calls it directly with `(request, reply)` after running the app's global guards (rate limit, API key and
 * scopes), skipping Nest's per-request pipeline (parameter pipes, interceptors, response mapping), which costs
 * more than a small model's run. Errors still reach the global exception filter through Fastify's error
 * handler. A handler may answer a JsonText (JSON it serialised itself). A lean route may not declare pipes, interceptors or route guards: the app refuses to start.
 */
export const LeanRoute = (): MethodDecorator => (target, key, descriptor) =>
  mergeRouteConfig({
    lean: { controller: target.constructor as Type<unknown>, method: String(key) } satisfies LeanTarget,
  })(target, key, descriptor);

/**
 * Swaps the handler of every @LeanRoute() for the direct call, and hands the same call to the direct path;
 * installed before the routes are registered.
 */
export function installLeanRoutes(
  app: INestApplication,
  addHook: (hook: (route: RouteOptions) => void) => void,
  direct: DirectRoutes,
  defaultBodyLimit: number,
): void {
  addHook((route) => {
    const lean = (route.config as { lean?: LeanTarget } | undefined)?.lean;
    if (!lean) return;
    const handler = (lean.controller.prototype as Record<string, LeanHandler>)[lean.method];
    for (const key of [GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA]) {
      if (Reflect.getMetadata(key, handler) || Reflect.getMetadata(key, lean.controller)) {
        throw new Error(`${lean.controller.name}.${lean.method} is a lean route and cannot declare ${key}`);
      }
    }
    const guards = globalGuards(app);
    const instance = app.get<unknown, Record<string, LeanHandler>>(lean.controller, { strict: false });
    const call: LeanCall = async (request, reply) => {
      const context = new LeanContext([request, reply], lean.controller, handler as (...args: unknown[]) => unknown);
      for (const guard of guards) {
        const answer = guard.canActivate(context);
        // A guard that answers at once is not awaited: each await costs promises (and async-hook records).
        const allowed = isObservable(answer)
          ? await lastValueFrom(answer)
          : answer instanceof Promise
            ? await answer
            : answer;
        if (allowed !== true) {
          throw new ForbiddenException('Forbidden resource');
        }
      }
      return instance[lean.method](request, reply);
    };
    route.handler = async function leanHandler(request: FastifyRequest, reply: FastifyReply) {
      const result = await call(request, reply);
      if (!(result instanceof JsonText)) return result;
      // Fastify sends a string with a JSON content type as it is, as the direct path does.
      void reply.type('application/json; charset=utf-8');
      return result.text;
    };
    for (const method of [route.method].flat()) {
      if (method !== 'POST') continue;
      direct.add(route.url, {
        bodyLimit: route.bodyLimit ?? defaultBodyLimit,
        rawJson: (route.config as { rawJson?: boolean }).rawJson === true,
        call,
      });
    }
  });
}

/** The global guards, in order, from the provider that also registers them with Nest (see request-guards.ts). */
function globalGuards(app: INestApplication): CanActivate[] {
  let guards: CanActivate[] = [];
  try {
    guards = app.get<symbol, CanActivate[]>(REQUEST_GUARDS, { strict: false });
  } catch {
    // Not provided: refused below.
  }
  // Deny by default: a lean route never runs where no guard is registered.
  if (guards.length === 0) throw new Error('lean routes need the global guards (AuthModule)');
  return guards;
}
