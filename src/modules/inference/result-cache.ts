import { hash } from 'node:crypto';
import type { Cache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { canonicalJson } from 'src/platform/json';

export interface ResultCacheOptions {
  ttlMs: number;
  maxEntries: number;
  /** The shared cache (Redis) behind the in-process one, or null when there is none. */
  shared: Cache | null;
}

/** What is shared between replicas: the version that answered and the answer's JSON text up to its per-request part. */
export interface SharedResult {
  readonly version: number;
  readonly text: string;
}

/**
 * A cached result. One flat string and two numbers: ten thousand entries kept alive cost the garbage collector
 * next to nothing, where the result's object tree (arrays of boxed numbers) made each cache miss pay for it.
 */
export interface CachedResult extends SharedResult {
  /** When it stops being served (epoch ms): an entry found by its body text never outlives its first store. */
  readonly expires: number;
}

/** Texts up to this size are their own in-process key (no hash); longer ones are hashed (bounded memory). */
const TEXT_KEY_MAX = 1024;

const sha256 = (text: string | Buffer, encoding: 'hex' | 'base64' = 'hex'): string => hash('sha256', text, encoding);

/** A hashed key cannot be mistaken for a text one: those hold NUL characters, a digest never does. */
const localKey = (canonical: string): string => (canonical.length <= TEXT_KEY_MAX ? canonical : sha256(canonical));

/**
 * Prediction results by model, version and canonical input (sha256 of it in the shared cache, and in process when
 * it is long). An in-process LRU answers repeat requests
 * without a network hop; the shared cache (Redis when configured) lets replicas reuse each other's results.
 * In front, a second in-process index by the exact body text: the common repeat (the same bytes again) is found
 * without parsing, canonicalising or hashing the rows.
 */
export class ResultCache {
  private readonly local: LRUCache<string, CachedResult>;
  private readonly byText: LRUCache<string, CachedResult>;

  constructor(private readonly options: ResultCacheOptions) {
    this.local = new LRUCache<string, CachedResult>({ max: options.maxEntries, ttl: options.ttlMs });
    this.byText = new LRUCache<string, CachedResult>({ max: options.maxEntries });
  }

  /** The shared cache's key: sha256 of the canonical input (see `canonical`). */
  static key(model: string, version: number, rows: unknown): string {
    return sha256(ResultCache.canonical(model, version, rows));
  }

  /** Model, version and the canonical JSON of the rows: equal inputs give equal text whatever their key order. */
  static canonical(model: string, version: number, rows: unknown): string {
    return `${model}\0${version}\0${canonicalJson(rows)}`;
  }

  /**
   * Model, version and the input tensors exactly as the model gets them (names, shapes and bytes): inputs that
   * become the same tensors get the same predictions, so they share an entry, without JSON being parsed.
   */
  static tensors(
    model: string,
    version: number,
    feeds: Record<string, { data: ArrayBufferView; dims: number[] }>,
  ): string {
    let key = `${model}\0${version}\0tensors`;
    for (const name of Object.keys(feeds).sort()) {
      const { data, dims } = feeds[name];
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      key += `\0${name}\0${dims.join(',')}\0${bytes.toString('latin1')}`;
    }
    return key;
  }

  /** The exact body's key: the same bytes give the same key (latin1 maps each byte to one character). */
  static textKey(model: string, version: number, body: Buffer): string {
    const text = body.length <= TEXT_KEY_MAX ? body.toString('latin1') : sha256(body, 'base64');
    return `${model}\0${version}\0${text}`;
  }

  getByText(textKey: string): CachedResult | undefined {
    const hit = this.byText.get(textKey);
    if (hit === undefined) return undefined;
    if (hit.expires > Date.now()) return hit;
    this.byText.delete(textKey);
    return undefined;
  }

  /** By the canonical input (from `canonical`): in this process first, then in the shared cache. */
  async get(canonical: string): Promise<CachedResult | undefined> {
    const local = localKey(canonical);
    const hit = this.local.get(local);
    if (hit !== undefined || !this.options.shared) return hit;
    const shared = await this.options.shared.get<SharedResult>(`predict:${sha256(canonical)}`).catch(() => undefined);
    if (typeof shared?.text !== 'string' || typeof shared.version !== 'number') return undefined;
    return this.remember(local, shared);
  }

  /** Also found by `textKey` from now on (the body that found it by its canonical key). */
  linkText(textKey: string, entry: CachedResult): void {
    this.byText.set(textKey, entry);
  }

  /** Stored at once in this process; the shared cache's write is not waited for. */
  set(canonical: string, result: SharedResult, textKey?: string): void {
    const entry = this.remember(localKey(canonical), result);
    if (textKey !== undefined) this.byText.set(textKey, entry);
    if (!this.options.shared) return;
    const shared: SharedResult = { version: result.version, text: result.text };
    void this.options.shared.set(`predict:${sha256(canonical)}`, shared, this.options.ttlMs).catch(() => undefined);
  }

  clear(): void {
    this.local.clear();
    this.byText.clear();
  }

  private remember(key: string, { version, text }: SharedResult): CachedResult {
    const entry: CachedResult = { version, text, expires: Date.now() + this.options.ttlMs };
    this.local.set(key, entry);
    return entry;
  }
}
