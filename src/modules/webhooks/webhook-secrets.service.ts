import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppConfig } from 'src/platform/config';

const PREFIX = 'whsec_';
const FORMAT = 'v1';

/** A new signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks). */
export function generateSigningSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** `v1,<base64 HMAC-SHA256 of id.timestamp.body>` with a `whsec_` secret. */
export function sign(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

function parseKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('the webhook secret key must be 32 bytes');
  return key;
}

/**
 * Keeps endpoint signing secrets encrypted at rest with AES-256-GCM. The key is WEBHOOK_SECRET_KEY, or else one
 * generated once into WEBHOOK_SECRET_KEY_FILE (mode 0600) and reused by every process that shares the directory.
 * Secrets must stay recoverable to sign, so they cannot be hashed like API keys.
 */
@Injectable()
export class WebhookSecretsService implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private key: Buffer;
  private readonly cache = new Map<string, string>();

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    this.key = this.config.WEBHOOK_SECRET_KEY ? parseKey(this.config.WEBHOOK_SECRET_KEY) : this.keyFromFile();
  }

  private keyFromFile(): Buffer {
    const file = resolve(this.config.WEBHOOK_SECRET_KEY_FILE);
    try {
      return parseKey(readFileSync(file, 'utf8').trim());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(dirname(file), { recursive: true });
    try {
      // 'wx' fails when another process created the file first; then its key is the one to use.
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
      chmodSync(file, 0o600);
      if (this.config.NODE_ENV !== 'test') {
        this.logger.warn(
          `WEBHOOK_SECRET_KEY is not set: generated a key in ${file}; keep it (endpoint secrets cannot be read without it)`,
        );
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return parseKey(readFileSync(file, 'utf8').trim());
  }

  encrypt(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(
      '.',
    );
  }

  decrypt(stored: string): string {
    const hit = this.cache.get(stored);
    if (hit) return hit;
    const [format, iv, ct, tag] = stored.split('.');
    if (format !== FORMAT || !iv || !ct || !tag) throw new Error('unknown webhook secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const secret = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(stored, secret);
    return secret;
  }
}
