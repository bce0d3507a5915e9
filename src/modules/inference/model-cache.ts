export interface CacheCounters {
  hits: number;
  misses: number;
  loads: number;
  evictions: number;
}

export interface Loaded<S> {
  value: S;
  bytes: number;
}

interface Entry<S> {
  value: S;
  bytes: number;
}

/**
 * Loaded model sessions, least recently used first out, bounded by bytes. Pinned keys (versions that hold an
 * alias) are never evicted. Concurrent `get`s of a key that is not loaded share one load.
 */
export class ModelCache<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly loading = new Map<string, Promise<S>>();
  private readonly pinned = new Set<string>();
  private usedBytes = 0;
  readonly counters: CacheCounters = { hits: 0, misses: 0, loads: 0, evictions: 0 };

  constructor(
    private readonly maxBytes: number,
    private readonly load: (key: string) => Promise<Loaded<S>>,
    private readonly dispose: (value: S, key: string) => Promise<void> | void,
    private readonly onEvent: (event: keyof CacheCounters) => void = () => undefined,
  ) {}

  get bytes(): number {
    return this.usedBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The loaded value, or a promise of it: a hit answers at once, without a trip through the microtask queue. */
  get(key: string): S | Promise<S> {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.count('hits');
      return entry.value;
    }
    this.count('misses');
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadOnce(key);
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async loadOnce(key: string): Promise<S> {
    try {
      const loaded = await this.load(key);
      this.count('loads');
      this.entries.set(key, { value: loaded.value, bytes: loaded.bytes });
      this.usedBytes += loaded.bytes;
      await this.evictOverBudget(key);
      return loaded.value;
    } finally {
      this.loading.delete(key);
    }
  }

  setPinned(keys: Iterable<string>): void {
    this.pinned.clear();
    for (const k of keys) this.pinned.add(k);
  }

  pin(key: string): void {
    this.pinned.add(key);
  }

  isPinned(key: string): boolean {
    return this.pinned.has(key);
  }

  async remove(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.usedBytes -= entry.bytes;
    await this.dispose(entry.value, key);
    return true;
  }

  private async evictOverBudget(justLoaded: string): Promise<void> {
    for (const [key] of this.entries) {
      if (this.usedBytes <= this.maxBytes) return;
      if (key === justLoaded || this.pinned.has(key)) continue;
      await this.remove(key);
      this.count('evictions');
    }
  }

  private count(event: keyof CacheCounters): void {
    this.counters[event] += 1;
    this.onEvent(event);
  }

  async clear(): Promise<void> {
    for (const key of [...this.entries.keys()]) await this.remove(key);
  }
}
