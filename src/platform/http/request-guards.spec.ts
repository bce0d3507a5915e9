import { CanActivate, Injectable } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { globalGuards, REQUEST_GUARDS } from './request-guards';

@Injectable()
class First implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class Second implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

describe(globalGuards.name, () => {
  it('should provide the same guard instances, in order, to Nest and to the lean routes when declared once', async () => {
    const providers = globalGuards(First, Second);
    const module = await Test.createTestingModule({ providers }).compile();
    const guards = module.get<CanActivate[]>(REQUEST_GUARDS);
    expect(guards).toEqual([module.get(First), module.get(Second)]);
    expect(guards[0]).toBe(module.get(First));
    const appGuards = providers.filter((p) => typeof p === 'object' && 'provide' in p && p.provide === APP_GUARD);
    expect(appGuards).toEqual([
      { provide: APP_GUARD, useExisting: First },
      { provide: APP_GUARD, useExisting: Second },
    ]);
  });
});
