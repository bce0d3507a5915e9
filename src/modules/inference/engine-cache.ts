import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from 'src/platform/config';
import { DomainError } from 'src/platform/errors';
import { Engine } from './engine';
import { InferencePool } from './inference-pool';
import { InferenceError } from './inference.errors';
import { InferenceMetrics } from './inference.metrics';
import { ModelCache } from './model-cache';
import { ServableVersion, versionKey } from './servable';
import type { RouteListener } from './version-router';

/** A main-thread run is meant to take microseconds; a version whose runs keep going over this goes back to the worker. */
const INLINE_DEMOTE_MS = 5;

/**
 * Loaded engines in a byte-bounded LRU (versions holding an alias pinned), on one worker pool; it follows the
 * router's moves (a moved alias's new target is loaded before the switch).
 */
@Injectable()
export class EngineCache implements RouteListener, OnApplicationShutdown {
  private readonly logger = new Logger('Inference');
  private readonly engines: ModelCache<Engine>;
  private readonly known = new Map<string, ServableVersion>();
  private readonly pool: InferencePool;
  /** Models unloaded through the repository extension and not loaded since (the protocol's ready says no). */
  private readonly unloaded = new Set<string>();

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: InferenceMetrics,
  ) {
    this.pool = new InferencePool(config.INFERENCE_WORKERS, config.INFERENCE_THREADS);
    this.engines = new ModelCache<Engine>(
      config.MODEL_CACHE_MB * 1024 * 1024,
      (key) => this.load(key),
      (engine) => engine.release(),
      (event) => {
        this.metrics.modelCacheEvent(event);
        if (event === 'hits' || event === 'misses') return;
        this.metrics.loadedBytes.set(this.engines.bytes);
        this.metrics.loadedModels.set(this.engines.size);
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engines.clear().catch(() => undefined);
    await this.pool.close();
  }

  /** A loaded version's engine at once; a version being loaded, a promise of it. */
  engineFor(version: ServableVersion): Engine | Promise<Engine> {
    const key = versionKey(version);
    if (this.known.get(key) !== version) {
      this.known.set(key, version);
      if (version.aliases.length > 0) this.engines.pin(key);
    }
    const engine = this.engines.get(key);
    return engine instanceof Engine ? engine : this.whenLoaded(version, engine);
  }

  isLoaded(v: { modelName: string; version: number }): boolean {
    return this.engines.has(versionKey(v));
  }

  /** Unloaded by request, and not loaded again since. */
  wasUnloaded(name: string): boolean {
    return this.unloaded.has(name);
  }

  markLoaded(name: string): void {
    this.unloaded.delete(name);
  }

  /** Every version of the model leaves memory; returns how many were loaded. */
  async unload(name: string): Promise<number> {
    let removed = 0;
    for (const key of this.engines.keys()) {
      if (key.startsWith(`${name}@`) && (await this.engines.remove(key))) removed++;
    }
    this.unloaded.add(name);
    return removed;
  }

  get counters(): ModelCache<Engine>['counters'] {
    return this.engines.counters;
  }

  async moved(from: ServableVersion, to: ServableVersion): Promise<void> {
    if (this.engines.has(versionKey(from))) await this.engineFor(to);
    this.known.set(versionKey(to), to);
  }

  aliased(versions: ServableVersion[]): void {
    this.engines.setPinned(versions.map(versionKey));
  }

  private async whenLoaded(version: ServableVersion, loading: Promise<Engine>): Promise<Engine> {
    try {
      return await loading;
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new InferenceError(
        'MODEL_NOT_READY',
        `Version ${version.version} of ${version.modelName} could not be loaded: ${(err as Error).message}`,
      );
    }
  }

  private load(key: string): Promise<{ value: Engine; bytes: number }> {
    const version = this.known.get(key)!;
    // Loaded again (on demand, by a request): ready tells the truth again.
    this.unloaded.delete(version.modelName);
    const metrics = this.metrics.forVersion(version.modelName, version.version);
    return Engine.load(version, {
      pool: this.pool,
      batching: this.config.BATCHING_ENABLED,
      maxBatchSize: version.batching?.maxBatchSize ?? this.config.BATCH_MAX_SIZE,
      maxDelayMs: version.batching?.maxDelayMs ?? this.config.BATCH_MAX_DELAY_MS,
      onRun: (_rows, seconds) => metrics.duration.observe(seconds),
      onBatch: (rows) => metrics.batchSize.observe(rows),
      onWait: (ms) => metrics.queueWait.observe(ms / 1000),
      inlineLimitBytes: this.config.INFERENCE_INLINE_LIMIT_MB * 1024 * 1024,
      onInline: () => metrics.inlineRuns.inc(),
      inlineDemoteMs: INLINE_DEMOTE_MS,
      timeoutMs: this.config.INFERENCE_TIMEOUT_MS,
      onInlineDemoted: (ms) =>
        this.logger.warn({
          message: 'main-thread runs took too long; this version now runs on its worker only',
          model: version.modelName,
          version: version.version,
          ms: Math.round(ms),
        }),
    }).then((engine) => ({
      value: engine,
      // A version that also has a main-thread session holds the model twice.
      bytes: Math.max(version.sizeBytes, 1) * (engine.inlineCapable ? 2 : 1),
    }));
  }
}
