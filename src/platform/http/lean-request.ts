import type { IncomingHttpHeaders } from 'node:http';

/** What a lean route's handler and the global guards read of a request: Fastify's request and the direct path's. */
export interface LeanRequest {
  readonly id: string;
  /** The client's address: the socket's, or X-Forwarded-For's first when TRUST_PROXY is set (as Fastify does). */
  readonly ip: string;
  readonly method: string;
  readonly url: string;
  readonly params: unknown;
  readonly query: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** What they may do to the answer: set a header. */
export interface LeanReply {
  header(name: string, value: string | number): unknown;
}

export type LeanCall = (request: LeanRequest, reply: LeanReply) => Promise<unknown>;

/** One answered request, for the HTTP metrics and the request log. */
export interface Answered {
  id: string;
  method: string;
  url: string;
  route: string;
  status: number;
  ms: number;
}
