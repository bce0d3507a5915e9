import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const storage = new AsyncLocalStorage<FastifyRequest>();

/**
 * Makes the request being handled reachable from the code it calls (the audit log reads its principal, id and
 * client IP from here), so services need not pass transport facts through every signature. Entered at
 * `preHandler`: after Fastify has read the body (stream callbacks there would lose an earlier context) and
 * right before Nest runs the guards and the handler.
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => storage.run(request, done));
}

/** The HTTP request this code runs for, or undefined in a job, a timer or at boot. */
export function currentRequest(): FastifyRequest | undefined {
  return storage.getStore();
}
