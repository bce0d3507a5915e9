import { createHash } from 'node:crypto';
import type { Cache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { canonicalJson } from 'src/platform/json';

export interface ResultCacheOptions {
  ttlMs: number;
  maxEntries: number;
  /** The shared cache (Redis) behind the in-process one, or null when there is none. */
  shared: Cache | null;
}

/**
 * Prediction results by sha256(model, version, canonical input). An in-process LRU answers repeat requests
 * without a network hop; the shared cache (Redis when configured) lets replicas reuse each other's results.
 */
export class ResultCache<V extends object> {
  private readonly local: LRUCache<string, V>;

  constructor(private readonly options: ResultCacheOptions) {
    this.local = new LRUCache<string, V>({ max: options.maxEntries, ttl: options.ttlMs });
  }

  static key(model: string, version: number, rows: unknown): string {
    return createHash('sha256')
      .update(`${model}\0${version}\0${canonicalJson(rows)}`)
      .digest('hex');
  }

  async get(key: string): Promise<V | undefined> {
    const hit = this.local.get(key);
    if (hit !== undefined || !this.options.shared) return hit;
    const shared = await this.options.shared.get<V>(`predict:${key}`).catch(() => undefined);
    if (shared !== undefined && shared !== null) this.local.set(key, shared);
    return shared ?? undefined;
  }

  async set(key: string, value: V): Promise<void> {
    this.local.set(key, value);
    await this.options.shared?.set(`predict:${key}`, value, this.options.ttlMs).catch(() => undefined);
  }

  clear(): void {
    this.local.clear();
  }
}
