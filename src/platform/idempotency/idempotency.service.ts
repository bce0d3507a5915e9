import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { httpConfig } from '../config';
import { DomainError } from '../errors';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

export type Claim = { kind: 'new' } | { kind: 'replay'; status: number; body: unknown };

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` as Stripe and the IETF draft define it, scoped to the API key's owner: the first request
 * with a key runs; a retry with the same key and the same request gets the first answer again; the same key
 * with a different request is refused (422); a retry while the first is still running is refused (409). A
 * request that fails releases its key, so it can be retried.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(httpConfig.KEY) private readonly config: ConfigType<typeof httpConfig>,
  ) {}

  static hash(route: string, body: unknown): string {
    return createHash('sha256')
      .update(route)
      .update('\0')
      .update(JSON.stringify(body ?? null))
      .digest('hex');
  }

  async claim(owner: string, key: string, route: string, requestHash: string): Promise<Claim> {
    if (!KEY.test(key)) {
      throw new DomainError(
        'INVALID_IDEMPOTENCY_KEY',
        'invalid',
        'Idempotency-Key must be 1 to 255 printable ASCII characters.',
        {
          errors: [
            {
              field: 'Idempotency-Key',
              code: 'INVALID_IDEMPOTENCY_KEY',
              message: 'must be 1-255 printable ASCII characters',
            },
          ],
        },
      );
    }
    const expiresAt = new Date(Date.now() + this.config.IDEMPOTENCY_TTL_HOURS * 3600_000);
    // An expired key is free again, and so is a key left in progress for longer than the lease by a process that
    // died (a retry of the same request takes it over); one statement claims it atomically whatever replicas race.
    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (owner, key, route, "requestHash", state, "expiresAt")
       VALUES ($1, $2, $3, $4, 'in_progress', $5)
       ON CONFLICT (owner, key) DO UPDATE
         SET route = EXCLUDED.route, "requestHash" = EXCLUDED."requestHash", state = 'in_progress',
             "responseStatus" = NULL, "responseBody" = NULL, "createdAt" = now(), "expiresAt" = EXCLUDED."expiresAt"
         WHERE idempotency_keys."expiresAt" <= now()
            OR (idempotency_keys.state = 'in_progress' AND idempotency_keys."requestHash" = EXCLUDED."requestHash"
                AND idempotency_keys."createdAt" <= now() - make_interval(secs => $6))
       RETURNING owner`,
      [owner, key, route, requestHash, expiresAt, this.config.IDEMPOTENCY_LEASE_SECONDS],
    );
    if (claimed.length > 0) return { kind: 'new' };

    const existing = await this.dataSource.getRepository(IdempotencyKeyEntity).findOne({ where: { owner, key } });
    if (!existing) return this.claim(owner, key, route, requestHash);
    if (existing.requestHash !== requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'unprocessable',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      );
    }
    if (existing.state === 'in_progress') {
      throw new DomainError(
        'IDEMPOTENCY_KEY_IN_USE',
        'conflict',
        'A request with this Idempotency-Key is still being processed; retry later.',
      );
    }
    return { kind: 'replay', status: existing.responseStatus ?? 200, body: existing.responseBody };
  }

  async complete(owner: string, key: string, status: number, body: unknown): Promise<void> {
    await this.dataSource
      .getRepository(IdempotencyKeyEntity)
      .update({ owner, key }, { state: 'completed', responseStatus: status, responseBody: body as object });
  }

  /**
   * Deletes up to `limit` stored keys created before `cutoff` whose TTL is over (a live key is never deleted: its
   * answer may still be replayed). Returns how many went.
   */
  async deleteExpired(cutoff: Date, limit: number): Promise<number> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM idempotency_keys WHERE (owner, key) IN (
           SELECT owner, key FROM idempotency_keys WHERE "expiresAt" <= now() AND "createdAt" < $1
            ORDER BY "expiresAt" LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, limit],
    );
    return n;
  }

  async release(owner: string, key: string): Promise<void> {
    await this.dataSource.getRepository(IdempotencyKeyEntity).delete({ owner, key, state: 'in_progress' });
  }
}
