import { CanActivate, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

/** The app's global guards, in order, for the paths that run them outside Nest's pipeline (the lean routes). */
export const REQUEST_GUARDS = Symbol('REQUEST_GUARDS');

/**
 * Declares the global guards once: each becomes an APP_GUARD (Nest's pipeline) and the same instances, in the
 * same order, are provided as REQUEST_GUARDS (the lean routes and the direct path), so both run the same guards.
 */
export function globalGuards(...guards: Type<CanActivate>[]): Provider[] {
  return [
    ...guards,
    ...guards.map((guard) => ({ provide: APP_GUARD, useExisting: guard })),
    { provide: REQUEST_GUARDS, useFactory: (...instances: CanActivate[]) => instances, inject: guards },
  ];
}
