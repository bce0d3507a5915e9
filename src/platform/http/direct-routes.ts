import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { presentedKey } from '../auth/api-key-token';
import { JsonText, RawJson } from '../json';
import type { LeanCall, LeanReply, LeanRequest } from './lean-request';
import type { RequestPipeline } from './request-pipeline';

export type { Answered, LeanCall, LeanReply, LeanRequest } from './lean-request';

interface PendingAnswer {
  res: ServerResponse;
  status: number;
  headers: (string | number)[];
  body: string;
}

interface DirectRoute {
  pattern: string;
  /** The pattern with each parameter as a group of plain characters. */
  path: RegExp;
  params: string[];
  bodyLimit: number;
  rawJson: boolean;
  call: LeanCall;
}

/** A parameter the direct path takes as it is; anything else (percent-encoded, too long) is left to Fastify. */
const PLAIN_SEGMENT = '([\\w.~-]{1,300})';

class DirectRequest implements LeanRequest {
  readonly method = 'POST';
  principal?: unknown;

  constructor(
    readonly id: string,
    readonly ip: string,
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    readonly params: Record<string, string>,
    readonly query: unknown,
    readonly body: unknown,
  ) {}
}

class DirectReply implements LeanReply {
  readonly headers: Record<string, string | number> = {};

  header(name: string, value: string | number): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
}

/**
 * The lean routes' requests, served before Fastify sees them: Fastify's routing, hooks, body parsing and reply
 * pipeline cost a small model's request more than its inference does. A request is served the same way as on
 * Fastify (the same guards and handler, the same error documents, the same metrics, through the one RequestPipeline); the direct path takes only
 * the common case (POST, a JSON body with a Content-Length within the route's limit, an API key presented, plain
 * path segments) and leaves everything else to Fastify, which answers it as any other route.
 */
export class DirectRoutes {
  private readonly routes: DirectRoute[] = [];
  private serving = false;

  constructor(
    private readonly parseJson: (bytes: Buffer) => unknown,
    private readonly pipeline: RequestPipeline,
    private readonly trustProxy = false,
  ) {}

  add(pattern: string, options: { bodyLimit: number; rawJson: boolean; call: LeanCall }): void {
    const parts = pattern.split('/');
    const path = parts.map((p) => (p.startsWith(':') ? PLAIN_SEGMENT : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    this.routes.push({
      pattern,
      path: new RegExp(`^${path.join('/')}$`),
      params: parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1)),
      ...options,
    });
  }

  /** Serving starts once the app is ready and stops when it begins to close (Fastify then answers 503). */
  setServing(serving: boolean): void {
    this.serving = serving;
  }

  /** Serves the request and returns true, or returns false without touching it. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.serving || req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const found = this.match(q < 0 ? url : url.slice(0, q));
    if (!found) return false;
    const headers = req.headers;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= found.route.bodyLimit)) return false;
    if (!isJson(headers['content-type']) || presentedKey(headers) === undefined) return false;
    this.serve(found.route, found.params, q < 0 ? {} : parseQuery(url.slice(q + 1)), req, res);
    return true;
  }

  /** Answers ready in this event-loop turn, written together at its end (see `write`). */
  private pending: PendingAnswer[] = [];
  private readonly flushPending = (): void => {
    const pending = this.pending;
    this.pending = [];
    for (const { res, status, headers, body } of pending) {
      res.writeHead(status, headers);
      res.end(body);
    }
  };

  /**
   * Answers go out together at the end of the event-loop turn (setImmediate) rather than one by one as each is
   * ready: an answer made at once (a cache hit) would otherwise be written between the reads of the other
   * requests of the turn, and each such write wakes the client up again. Measured with 64 connections: a hit's
   * CPU time went from about 65 to 40 µs, most of it in the kernel's send (bench/RESULTS.md). Answers of model
   * runs were already made together (the micro-batcher runs on setImmediate).
   */
  private write(res: ServerResponse, status: number, headers: (string | number)[], body: string): void {
    if (this.pending.length === 0) setImmediate(this.flushPending);
    this.pending.push({ res, status, headers, body });
  }

  private match(path: string): { route: DirectRoute; params: Record<string, string> } | null {
    for (const route of this.routes) {
      const found = route.path.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < route.params.length; i++) params[route.params[i]] = found[i + 1];
      return { route, params };
    }
    return null;
  }

  private serve(
    route: DirectRoute,
    params: Record<string, string>,
    query: unknown,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client that goes away mid-body: nothing to answer.
    req.on('error', () => undefined);
    req.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const id = this.pipeline.requestId(req);
      const url = req.url ?? '';
      const reply = new DirectReply();
      let request: DirectRequest | undefined;
      const done = (status: number, contentType: string, body: string): void => {
        const headers: (string | number)[] = ['x-request-id', id];
        for (const name in reply.headers) headers.push(name, reply.headers[name]);
        headers.push('content-type', contentType, 'content-length', Buffer.byteLength(body));
        this.write(res, status, headers, body);
        this.pipeline.answered({
          id,
          method: 'POST',
          url,
          route: route.pattern,
          status,
          ms: performance.now() - started,
        });
      };
      const fail = (err: unknown): void => {
        const answer = this.pipeline.errorAnswer(err, request ?? { id, method: 'POST', url });
        done(answer.status, `${answer.contentType}; charset=utf-8`, JSON.stringify(answer.body));
      };
      try {
        const body = route.rawJson ? new RawJson(bytes, this.parseJson) : this.parseJson(bytes);
        request = new DirectRequest(id, clientIp(req, this.trustProxy), url, req.headers, params, query, body);
      } catch (err) {
        fail(err);
        return;
      }
      route.call(request, reply).then((result) => {
        let body: string;
        try {
          body = result instanceof JsonText ? result.text : (JSON.stringify(result) ?? '');
        } catch (err) {
          fail(err);
          return;
        }
        done(200, 'application/json; charset=utf-8', body);
      }, fail);
    });
  }
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const first = forwarded.split(',')[0].trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? '';
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'application/json';
}
