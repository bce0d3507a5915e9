import { mergeRouteConfig } from './route-config';

/** The route takes bulk rows: its body may be up to LARGE_BODY_LIMIT_BYTES instead of BODY_LIMIT_BYTES. */
export const LargeBody = (): MethodDecorator => mergeRouteConfig({ largeBody: true });
