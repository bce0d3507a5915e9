import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface DeclaredRoute {
  method: string;
  /** The full path with its parameters as `:name`, no trailing slash: `/v2/models/:name/ready`. */
  path: string;
  controller: string;
  handler: string;
  /** The controller class and its handler method, for reading their metadata. */
  targets: [handler: (...args: unknown[]) => unknown, controller: new (...args: unknown[]) => unknown];
}

/** Every route the app's controllers declare, read from their metadata (so a route added later is found too). */
export function declaredRoutes(app: NestFastifyApplication): DeclaredRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const routes: DeclaredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const ctrl = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
    if (!ctrl) continue;
    const proto = ctrl.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as (...args: unknown[]) => unknown;
      const own = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (own === undefined) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, ctrl));
      const path = `/${base}/${own}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      routes.push({ method, path, controller: ctrl.name, handler: name, targets: [handler, ctrl] });
    }
  }
  return routes;
}
