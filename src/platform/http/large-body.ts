import { RouteConfig } from '@nestjs/platform-fastify';

/** The route takes bulk rows: its body may be up to LARGE_BODY_LIMIT_BYTES instead of BODY_LIMIT_BYTES. */
export const LargeBody = (): MethodDecorator => RouteConfig({ largeBody: true });
