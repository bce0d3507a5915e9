import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  INestApplication,
  Logger,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { of } from 'rxjs';
import { DirectRoutes } from './direct-routes';
import { JsonText } from '../json';
import { installLeanRoutes, LeanRoute } from './lean-route';
import { REQUEST_GUARDS } from './request-guards';
import { RequestPipeline } from './request-pipeline';

class Hot {
  @LeanRoute()
  run(request: FastifyRequest): { echoed: unknown } {
    return { echoed: request.body };
  }
}

function appWith(guards: CanActivate[]): INestApplication {
  return { get: (token: unknown) => (token === REQUEST_GUARDS ? guards : new Hot()) } as unknown as INestApplication;
}

/** Registers `route` through the hook the way Fastify's onRoute would, and returns the handler it ends with. */
function register(app: INestApplication, route: { config?: unknown }): RouteOptions['handler'] {
  let hook: ((r: RouteOptions) => void) | undefined;
  const direct = new DirectRoutes(
    (b) => JSON.parse(b.toString()) as unknown,
    new RequestPipeline(() => undefined, new Logger()),
  );
  installLeanRoutes(app, (h) => (hook = h), direct, 1024);
  const options = { method: 'POST', url: '/hot', handler: () => 'nest pipeline', ...route } as unknown as RouteOptions;
  hook!(options);
  return options.handler;
}

const leanConfig = (): unknown => Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, Hot.prototype.run) as unknown;
const call = (handler: RouteOptions['handler']): Promise<unknown> =>
  Promise.resolve<unknown>(handler.call({} as never, { body: 42 } as FastifyRequest, {} as FastifyReply));
const allow = (value: unknown): CanActivate => ({ canActivate: jest.fn(() => value as boolean) });

describe('LeanRoute', () => {
  it('should call the method directly after every global guard when the guards allow it', async () => {
    const guards = [allow(true), allow(Promise.resolve(true))];
    const handler = register(appWith(guards), { config: leanConfig() });
    await expect(call(handler)).resolves.toEqual({ echoed: 42 });
    for (const g of guards) {
      const context = (g.canActivate as jest.Mock).mock.calls[0][0] as ExecutionContext;
      expect(context.getHandler()).toBe(Hot.prototype.run);
      expect(context.getClass()).toBe(Hot);
    }
  });

  it('should hand Fastify the text of a JsonText with a JSON content type when the method serialised its answer', async () => {
    class Serialised {
      @LeanRoute()
      run(): JsonText {
        return new JsonText('{"x":1}');
      }
    }
    const app = {
      get: (token: unknown) => (token === REQUEST_GUARDS ? [allow(true)] : new Serialised()),
    } as unknown as INestApplication;
    const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, Serialised.prototype.run) as unknown;
    const handler = register(app, { config });
    const type = jest.fn();
    const sent = await handler.call({} as never, {} as FastifyRequest, { type } as unknown as FastifyReply);
    expect(sent).toBe('{"x":1}');
    expect(type).toHaveBeenCalledWith('application/json; charset=utf-8');
  });

  it('should refuse with 403 when a guard answers false, also through an observable', async () => {
    await expect(call(register(appWith([allow(false)]), { config: leanConfig() }))).rejects.toBeInstanceOf(
      ForbiddenException,
    );
    await expect(call(register(appWith([allow(of(false))]), { config: leanConfig() }))).rejects.toBeInstanceOf(
      ForbiddenException,
    );
  });

  it('should run no later guard and not the method when an earlier guard throws', async () => {
    const later = allow(true);
    const failing: CanActivate = { canActivate: () => Promise.reject(new Error('rate limited')) };
    const handler = register(appWith([failing, later]), { config: leanConfig() });
    await expect(call(handler)).rejects.toThrow('rate limited');
    expect(later.canActivate).not.toHaveBeenCalled();
  });

  it('should refuse to start when no global guard is registered', () => {
    expect(() => register(appWith([]), { config: leanConfig() })).toThrow(/global guards/);
  });

  it('should refuse to start when a lean route declares an interceptor', () => {
    class WithInterceptor {
      @LeanRoute()
      @UseInterceptors({ intercept: (_c, next) => next.handle() })
      run(): void {}
    }
    const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, WithInterceptor.prototype.run) as unknown;
    expect(() => register(appWith([allow(true)]), { config })).toThrow(/cannot declare/);
  });

  it('should leave the Nest handler in place when the route is not lean', async () => {
    const handler = register(appWith([allow(true)]), { config: { largeBody: true } });
    await expect(call(handler)).resolves.toBe('nest pipeline');
  });
});
