import { Reflector } from '@nestjs/core';
import { PUBLIC_KEY, SCOPES_KEY } from 'src/platform/auth';
import { declaredRoutes } from '../support/routes';
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
    const reflector = new Reflector();
    const routes = declaredRoutes(t.app);
    const undeclared: string[] = [];
    for (const route of routes) {
      const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, route.targets);
      const scopes = reflector.getAllAndOverride<string[]>(SCOPES_KEY, route.targets);
      if (!isPublic && !scopes) undeclared.push(`${route.controller}.${route.handler} (${route.method} ${route.path})`);
    }
    expect(routes.length).toBeGreaterThanOrEqual(9);
    expect(undeclared).toEqual([]);
  });
});
