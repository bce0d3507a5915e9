import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface VerifiedEvent {
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * The demo's webhook consumer: a node:http server on 127.0.0.1 that verifies every delivery with the
 * `standardwebhooks` library on the raw body (answering 400 to a bad signature, as a real consumer would) and
 * keeps each message once, however often it is delivered.
 */
export class DemoReceiver {
  readonly events: VerifiedEvent[] = [];
  readonly refused: string[] = [];
  private webhook?: Webhook;
  private readonly seen = new Set<string>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<DemoReceiver> {
    const server = createServer();
    const receiver = new DemoReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        };
        try {
          if (!receiver.webhook) throw new Error('no secret yet');
          const event = receiver.webhook.verify(body, headers) as { type: string; data: Record<string, unknown> };
          if (!receiver.seen.has(headers['webhook-id'])) {
            receiver.seen.add(headers['webhook-id']);
            receiver.events.push({ webhookId: headers['webhook-id'], type: event.type, data: event.data });
          }
          res.writeHead(204).end();
        } catch (error) {
          receiver.refused.push(`${headers['webhook-id'] || '?'}: ${(error as Error).message}`);
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/deltaone`;
  }

  /** The endpoint's signing secret (`whsec_...`), known once the endpoint is registered. */
  useSecret(secret: string): void {
    this.webhook = new Webhook(secret);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
