import type { ExecutionContext, Type } from '@nestjs/common';
import type { HttpArgumentsHost, RpcArgumentsHost, WsArgumentsHost } from '@nestjs/common/interfaces';

/** The execution context a lean route's guards see: an HTTP request to a controller method, as Nest builds one. */
export class LeanContext implements ExecutionContext, HttpArgumentsHost {
  constructor(
    private readonly args: [unknown, unknown],
    private readonly controller: Type<unknown>,
    private readonly handler: (...args: unknown[]) => unknown,
  ) {}

  getClass<T = unknown>(): Type<T> {
    return this.controller as Type<T>;
  }

  getHandler(): (...args: unknown[]) => unknown {
    return this.handler;
  }

  getArgs<T extends unknown[] = unknown[]>(): T {
    return this.args as unknown as T;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }

  getType<T extends string = 'http'>(): T {
    return 'http' as T;
  }

  switchToHttp(): HttpArgumentsHost {
    return this;
  }

  getRequest<T = unknown>(): T {
    return this.args[0] as T;
  }

  getResponse<T = unknown>(): T {
    return this.args[1] as T;
  }

  getNext<T = unknown>(): T {
    return undefined as T;
  }

  switchToRpc(): RpcArgumentsHost {
    throw new Error('a lean route is HTTP only');
  }

  switchToWs(): WsArgumentsHost {
    throw new Error('a lean route is HTTP only');
  }
}
