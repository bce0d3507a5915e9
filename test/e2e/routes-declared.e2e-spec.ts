import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { PUBLIC_KEY, SCOPES_KEY } from 'src/platform/auth';
import { createTestApp, TestApp } from '../support/test-app';

describe('deny by default', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should find @Public() or @Scopes() on every route when all controllers are walked', () => {
    const discovery = new DiscoveryService(t.app.get(ModulesContainer));
    const scanner = new MetadataScanner();
    const reflector = new Reflector();
    const routes: string[] = [];
    const undeclared: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const ctrl = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!ctrl) continue;
      const proto = ctrl.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name] as (...args: unknown[]) => unknown;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const route = `${method} ${String(Reflect.getMetadata(PATH_METADATA, ctrl))}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`;
        routes.push(route);
        const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, ctrl]);
        const scopes = reflector.getAllAndOverride<string[]>(SCOPES_KEY, [handler, ctrl]);
        if (!isPublic && !scopes) undeclared.push(`${ctrl.name}.${name} (${route})`);
      }
    }
    expect(routes.length).toBeGreaterThanOrEqual(9);
    expect(undeclared).toEqual([]);
  });
});
