import { Injectable, OnModuleDestroy } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import { AppConfig, webhookTargets } from 'src/platform/config';
import { APP_VERSION } from 'src/platform/version';
import { AttemptOutcome } from './webhook-attempt.entity';
import { AddressRefusedError, bareHost, checkLiteralHost, guardedLookup } from './ssrf.policy';

/** At most this much of a response body is read and kept. */
export const MAX_RESPONSE_BYTES = 4096;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  body: string | null;
  retryAfter: string | undefined;
  durationMs: number;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

/**
 * POSTs one webhook. Redirects are never followed (3xx is a failure), at most 4 KB of the answer is read, the
 * whole exchange is bounded by WEBHOOK_TIMEOUT_MS, and unless WEBHOOK_ALLOW_PRIVATE is set every address is
 * checked when the socket connects (IP literals before it).
 */
@Injectable()
export class WebhookHttpClient implements OnModuleDestroy {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly userAgent = `DeltaOne-Webhooks/${APP_VERSION}`;

  private readonly targets: ReturnType<typeof webhookTargets>;

  constructor(private readonly config: AppConfig) {
    this.targets = webhookTargets(config);
    const options = { keepAlive: true, maxSockets: config.WEBHOOK_CONCURRENCY, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(options);
    this.httpsAgent = new https.Agent(options);
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  send(request: WebhookRequest, signal?: AbortSignal): Promise<WebhookResponse> {
    const started = performance.now();
    const done = (r: Omit<WebhookResponse, 'durationMs'>): WebhookResponse => ({
      ...r,
      durationMs: Math.round(performance.now() - started),
    });
    const failure = (outcome: AttemptOutcome, error: string): WebhookResponse =>
      done({ outcome, statusCode: null, error: error.slice(0, 500), body: null, retryAfter: undefined });

    let url: URL;
    try {
      url = new URL(request.url);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.targets.allowHttp)) {
        return Promise.resolve(failure('refused', `refused: scheme ${url.protocol} is not allowed`));
      }
      if (!this.targets.allowPrivate) checkLiteralHost(bareHost(url));
    } catch (err) {
      const outcome = err instanceof AddressRefusedError ? 'refused' : 'network_error';
      return Promise.resolve(failure(outcome, (err as Error).message));
    }

    return new Promise<WebhookResponse>((resolve) => {
      const isHttps = url.protocol === 'https:';
      const body = Buffer.from(request.body);
      let settled = false;
      const finish = (r: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = (isHttps ? https : http).request(url, {
        method: 'POST',
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        lookup: this.targets.allowPrivate ? undefined : guardedLookup,
        signal,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': this.userAgent,
        },
      });
      const timer = setTimeout(() => {
        const err = new TimeoutError(this.config.WEBHOOK_TIMEOUT_MS);
        finish(failure('timeout', err.message));
        req.destroy(err);
      }, this.config.WEBHOOK_TIMEOUT_MS);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof AddressRefusedError || err.code === 'EWEBHOOKADDRESS')
          finish(failure('refused', err.message));
        else if (err instanceof TimeoutError) finish(failure('timeout', err.message));
        else finish(failure('network_error', `${err.code ? `${err.code}: ` : ''}${err.message}`));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const complete = () => {
          const ok = status >= 200 && status < 300;
          const retryAfter = res.headers['retry-after'];
          finish(
            done({
              outcome: ok ? 'success' : 'http_error',
              statusCode: status,
              error: ok
                ? null
                : `HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
              body: size > 0 ? Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8') : null,
              retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            }),
          );
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_RESPONSE_BYTES) {
            complete();
            res.destroy();
          }
        });
        res.on('end', complete);
        res.on('error', complete);
      });
      req.end(body);
    });
  }
}
