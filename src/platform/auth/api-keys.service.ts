import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { changesOf } from '../audit/audit-changes';
import { authConfig } from '../config';
import { TxHost } from '../database/transactions';
import { Page, PageQueryDto, paginate } from '../http/pagination';
import { ApiKeyEntity } from './api-key.entity';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key-token';
import { AuthError } from './auth.errors';
import { Principal, Scope, SCOPES } from './scopes';

export interface NewApiKey {
  name: string;
  scopes: Scope[];
  owner?: string;
  expiresAt?: Date;
}

interface CachedPrincipal {
  principal: Principal;
  /** Served until then. */
  until: number;
  /** From then on it is still served, and the first request to see it looks the key up again in the background. */
  refreshFrom: number;
}

const LAST_USED_RESOLUTION_MS = 60_000;
/** Valid keys kept; only keys that authenticated get in, so a flood of made-up keys never evicts them. */
const CACHE_MAX_ENTRIES = 10_000;
/** Keys that did not authenticate (unknown, revoked, expired), kept apart and small: a flood only churns this. */
const UNKNOWN_MAX_ENTRIES = 1_000;

/** Adds an entry to a bounded map, dropping the oldest one first when it is full. */
function putBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, CachedPrincipal>();
  /** Presented keys that did not authenticate, until when that answer is kept. */
  private readonly unknown = new Map<string, number>();
  /** One lookup at a time per key: when an entry lapses, the requests that arrive meanwhile share it. */
  private readonly lookups = new Map<string, Promise<Principal | null>>();
  /** Bumped by every revocation: a lookup that began before one does not cache what it read. */
  private revocations = 0;
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly audit: AuditService,
    private readonly txHost: TxHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureBootstrapKey();
  }

  /**
   * Resolves a presented key to its principal, or null. Results are cached for AUTH_CACHE_TTL_MS, so a key
   * revoked on another replica stops working within that time (at once on this one). A key in use is looked up
   * again in the background once half of that time has passed, so under steady traffic its entry never lapses
   * and requests never wait for the database; a lapsed entry is looked up once, however many requests ask. A key
   * that does not authenticate is remembered as such for the same time, in a small cache of its own.
   */
  authenticate(key: string): Promise<Principal | null> {
    const known = this.known(key);
    if (known !== undefined) return Promise.resolve(known);
    return this.lookups.get(key) ?? this.lookup(key);
  }

  /**
   * authenticate's answer when the caches hold it (starting the same background refresh), undefined when the
   * database must be asked: the API key guard answers a known key without a promise.
   */
  known(key: string): Principal | null | undefined {
    const now = Date.now();
    // Keyed by the presented key itself (the request holds it in memory anyway): no SHA-256 per request.
    const hit = this.cache.get(key);
    if (hit && hit.until > now) {
      if (hit.refreshFrom <= now && !this.lookups.has(key)) this.lookup(key).catch(() => undefined);
      return hit.principal;
    }
    if ((this.unknown.get(key) ?? 0) > now) return null;
    return undefined;
  }

  /** Whether the key's answer is known without the database (the rate limit asks before it spends a query). */
  isKnown(key: string): boolean {
    const now = Date.now();
    return (this.cache.get(key)?.until ?? 0) > now || (this.unknown.get(key) ?? 0) > now;
  }

  private lookup(key: string): Promise<Principal | null> {
    const lookup = this.lookupNow(key).finally(() => {
      if (this.lookups.get(key) === lookup) this.lookups.delete(key);
    });
    this.lookups.set(key, lookup);
    return lookup;
  }

  private async lookupNow(key: string): Promise<Principal | null> {
    const revocations = this.revocations;
    const row = await this.keys.findOne({ where: { hash: hashApiKey(key), revokedAt: IsNull() } });
    const now = Date.now();
    const expiresAt = row?.expiresAt?.getTime() ?? Infinity;
    const principal = row && expiresAt > now ? toPrincipal(row) : null;
    const ttl = this.config.AUTH_CACHE_TTL_MS;
    if (principal) {
      this.unknown.delete(key);
      if (ttl > 0 && revocations === this.revocations) this.remember(key, principal, now, expiresAt);
      this.touch(principal.keyId, now);
    } else {
      this.cache.delete(key);
      if (ttl > 0) putBounded(this.unknown, key, now + ttl, UNKNOWN_MAX_ENTRIES);
    }
    return principal;
  }

  /** A valid key is trusted for AUTH_CACHE_TTL_MS, never past its expiry. */
  private remember(key: string, principal: Principal, now: number, expiresAt: number): void {
    const ttl = this.config.AUTH_CACHE_TTL_MS;
    const entry = { principal, until: Math.min(now + ttl, expiresAt), refreshFrom: now + ttl / 2 };
    putBounded(this.cache, key, entry, CACHE_MAX_ENTRIES);
  }

  private touch(id: string, now: number): void {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now);
    this.keys.update({ id }, { lastUsedAt: new Date(now) }).catch((err: Error) => {
      this.logger.warn({ message: 'could not record key use', keyId: id, error: err.message });
    });
  }

  async create(actor: Principal, input: NewApiKey): Promise<{ entity: ApiKeyEntity; key: string }> {
    if (input.owner !== undefined && input.owner !== actor.owner && !actor.isAdmin) {
      throw new AuthError('OWNER_NOT_ALLOWED', 'Only an admin key may create keys for another owner.');
    }
    const beyond = input.scopes.filter((s) => !actor.isAdmin && !actor.scopes.includes(s));
    if (beyond.length > 0) {
      throw new AuthError('SCOPE_ESCALATION', `A key cannot grant scopes it does not hold: ${beyond.join(', ')}.`);
    }
    const key = generateApiKey();
    // A miss remembered for this key, here or on another replica, would need someone to have presented these 256
    // random bits before they were drawn, so no replica is told; and any miss lapses after AUTH_CACHE_TTL_MS.
    this.unknown.delete(key);
    const entity = await this.txHost.withTransaction(async () => {
      const repo = this.txHost.tx.getRepository(ApiKeyEntity);
      const saved = await repo.save(
        repo.create({
          name: input.name,
          owner: input.owner ?? actor.owner,
          scopes: [...new Set(input.scopes)],
          prefix: displayPrefix(key),
          hash: hashApiKey(key),
          createdByKeyId: actor.keyId,
          expiresAt: input.expiresAt ?? null,
        }),
      );
      await this.audit.record({
        action: 'api_key.create',
        target: { type: 'api_key', id: saved.id, owner: saved.owner },
        changes: changesOf(null, saved, ['name', 'owner', 'prefix', 'scopes', 'expiresAt']),
      });
      return saved;
    });
    // Served at once on this replica, even from an address whose anonymous limit is spent (see the rate limit).
    if (this.config.AUTH_CACHE_TTL_MS > 0) {
      this.remember(key, toPrincipal(entity), Date.now(), entity.expiresAt?.getTime() ?? Infinity);
    }
    return { entity, key };
  }

  list(
    actor: Principal,
    query: PageQueryDto & { owner?: string; includeRevoked?: boolean },
  ): Promise<Page<ApiKeyEntity>> {
    const qb = this.keys.createQueryBuilder('k');
    const owner = actor.isAdmin ? query.owner : actor.owner;
    if (owner !== undefined) qb.andWhere('k.owner = :owner', { owner });
    if (!query.includeRevoked) qb.andWhere('k.revokedAt IS NULL');
    return paginate(qb, 'k', query);
  }

  /** Looked up by id *and* owner: another owner's key is simply not found. */
  async get(actor: Principal, id: string): Promise<ApiKeyEntity> {
    const row = await this.keys.findOne({ where: actor.isAdmin ? { id } : { id, owner: actor.owner } });
    if (!row) throw new AuthError('API_KEY_NOT_FOUND', `No API key ${id}.`);
    return row;
  }

  async revoke(actor: Principal, id: string): Promise<void> {
    const row = await this.get(actor, id);
    if (!row.revokedAt) {
      await this.txHost.withTransaction(async () => {
        const revokedAt = new Date();
        const done = await this.txHost.tx.update(ApiKeyEntity, { id: row.id, revokedAt: IsNull() }, { revokedAt });
        if (!done.affected) return;
        await this.audit.record({
          action: 'api_key.revoke',
          target: { type: 'api_key', id: row.id, owner: row.owner },
          changes: { revokedAt: { from: null, to: revokedAt.toISOString() } },
        });
      });
    }
    this.revocations++;
    for (const [key, cached] of this.cache) if (cached.principal.keyId === row.id) this.cache.delete(key);
  }

  /**
   * ADMIN_API_KEY, when set, is stored (hashed) as the bootstrap key. Otherwise the first start generates one
   * and prints it once. The partial unique index on `bootstrap` keeps replicas from making two.
   */
  private async ensureBootstrapKey(): Promise<void> {
    const given = this.config.ADMIN_API_KEY;
    const existing = await this.keys.findOne({ where: { bootstrap: true } });
    if (given) {
      const hash = hashApiKey(given);
      if (existing?.hash === hash && !existing.revokedAt) return;
      if (existing) await this.keys.delete({ id: existing.id });
      await this.insertBootstrap(given);
      this.logger.log({ message: 'bootstrap admin key taken from ADMIN_API_KEY', prefix: displayPrefix(given) });
      return;
    }
    if (existing) return;
    const key = generateApiKey();
    if (await this.insertBootstrap(key)) {
      // Printed straight to stdout, once, so it is not lost in a log pipeline's JSON.
      process.stdout.write(
        `\n  Bootstrap admin API key (shown once, store it now):\n\n    ${key}\n\n  Use it as "Authorization: Bearer <key>" or "X-API-Key: <key>".\n\n`,
      );
    }
  }

  private async insertBootstrap(key: string): Promise<boolean> {
    const result = await this.keys
      .createQueryBuilder()
      .insert()
      .values({
        name: 'bootstrap admin',
        owner: 'admin',
        scopes: ['admin'],
        prefix: displayPrefix(key),
        hash: hashApiKey(key),
        bootstrap: true,
      })
      .orIgnore()
      .execute();
    return (result.identifiers?.filter(Boolean).length ?? 0) > 0;
  }
}

function toPrincipal(row: ApiKeyEntity): Principal {
  const scopes = row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  return { keyId: row.id, prefix: row.prefix, owner: row.owner, scopes, isAdmin: scopes.includes('admin') };
}
