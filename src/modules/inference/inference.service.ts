import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { canSee } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { DomainError } from 'src/platform/errors';
import { toProblem } from 'src/platform/http';
import { RawJson } from 'src/platform/json';
import { Engine } from './engine';
import { InferencePool } from './inference-pool';
import { InferenceError } from './inference.errors';
import { InferenceMetrics } from './inference.metrics';
import { Outputs } from './micro-batcher';
import { ModelCache } from './model-cache';
import { formatRows, RowPrediction } from './output-format';
import { ResultCache } from './result-cache';
import { EncodedBatch, PredictBody, toPredictBody } from './row-encoder';
import { ServableVersion, versionKey } from './servable';
import { assertManageable, assertServable, hideFrom } from './serving-access';
import { VERSION_SOURCE, VersionRef, VersionSource } from './version-source';

export interface PredictOptions {
  /** `Cache-Control: no-cache`: skip the result cache for this request. */
  noCache?: boolean;
  /** Size of the request body, for the result cache's size limit. */
  bodyBytes?: number;
}

export interface Fallback {
  fromVersion: number;
  toVersion: number;
  reason: string;
}

export interface Unloaded {
  /** Versions dropped from memory. */
  versions: number;
  /**
   * The next predict or infer request loads the model again (a production model keeps serving); until then,
   * or until `load`, the protocol's ready answers not ready.
   */
  reloadsOnDemand: true;
}

export interface PredictResult {
  model: string;
  version: number;
  predictions: RowPrediction[];
  cached: boolean;
  fallback: Fallback | null;
}

const PRODUCTION = 'production';
/** A main-thread run is meant to take microseconds; a version whose runs keep going over this goes back to the worker. */
const INLINE_DEMOTE_MS = 5;

/** What a request resolved to before it failed (for its metrics labels). */
interface Served {
  version?: number;
}

/**
 * Serves model versions: resolves a reference to a version, keeps loaded engines in a byte-bounded LRU (alias
 * holders pinned), validates rows before anything reaches onnxruntime, merges concurrent requests, caches
 * results, and retries once on the previous production version when production fails or times out.
 */
@Injectable()
export class InferenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Inference');
  private readonly engines: ModelCache<Engine>;
  private readonly known = new Map<string, ServableVersion>();
  private readonly routes = new Map<string, ServableVersion>();
  private readonly resolving = new Map<string, Promise<ServableVersion>>();
  /** Models unloaded through the repository extension and not loaded since (the protocol's ready says no). */
  private readonly unloaded = new Set<string>();
  private readonly results: ResultCache<PredictResult>;
  private readonly pool: InferencePool;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** Each routed model's resolution stamp when its routes were last resolved by a refresh. */
  private routeStamps = new Map<string, string>();
  /** Models with a route resolved since the last refresh began: resolved at a state no stamp was taken of. */
  private unstamped = new Set<string>();

  constructor(
    @Inject(VERSION_SOURCE) private readonly source: VersionSource,
    private readonly config: AppConfig,
    private readonly metrics: InferenceMetrics,
    @Inject(CACHE_MANAGER) cache: Cache,
  ) {
    this.pool = new InferencePool(config.INFERENCE_WORKERS, config.INFERENCE_THREADS);
    this.engines = new ModelCache<Engine>(
      config.MODEL_CACHE_MB * 1024 * 1024,
      (key) => this.loadEngine(key),
      (engine) => engine.release(),
      (event) => {
        this.metrics.modelCache.inc({ event });
        if (event === 'hits' || event === 'misses') return;
        this.metrics.loadedBytes.set(this.engines.bytes);
        this.metrics.loadedModels.set(this.engines.size);
      },
    );
    this.results = new ResultCache<PredictResult>({
      ttlMs: config.RESULT_CACHE_TTL_MS,
      maxEntries: config.RESULT_CACHE_MAX_ENTRIES,
      shared: config.REDIS_URL ? cache : null,
    });
  }

  onApplicationBootstrap(): void {
    this.refreshTimer = setInterval(() => void this.refreshRoutes(), this.config.ALIAS_REFRESH_MS);
    this.refreshTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refreshTimer);
    await this.engines.clear().catch(() => undefined);
    await this.pool.close();
  }

  /**
   * Predict with counting: every answer, success or error, is counted by model, version and status. `body` is
   * the request body: parsed JSON, or a RawJson the common case is read from without parsing.
   */
  async predict(
    principal: Principal,
    name: string,
    ref: VersionRef,
    body: unknown,
    options: PredictOptions = {},
  ): Promise<PredictResult> {
    const served: Served = {};
    try {
      const result = await this.predictOnce(principal, name, ref, body, options, served);
      this.metrics.countRequest('predict', name, result.version, 200);
      return result;
    } catch (err) {
      this.countFailure('predict', name, served, err);
      throw err;
    }
  }

  private async predictOnce(
    principal: Principal,
    name: string,
    ref: VersionRef,
    input: unknown,
    options: PredictOptions,
    served: Served,
  ): Promise<PredictResult> {
    // Awaited only when not known yet: a known route and a loaded engine cost no trip through the microtasks.
    // Access is checked here, before the result cache, so a cached answer never reaches a key that may not see it.
    const routed = this.routeFor(principal, name, ref);
    const version = routed instanceof Promise ? await routed : routed;
    served.version = version.version;
    const maxRows = this.config.MAX_ROWS_PER_REQUEST;
    const cacheable =
      this.config.RESULT_CACHE_TTL_MS > 0 &&
      !options.noCache &&
      (options.bodyBytes ?? 0) <= this.config.RESULT_CACHE_MAX_BYTES;
    // Without a cache lookup (whose key is the parsed rows) the body's text may go straight into a tensor.
    let engine: Engine | undefined;
    let batch: EncodedBatch | null = null;
    if (!cacheable && input instanceof RawJson) {
      const loaded = this.engineFor(version);
      engine = loaded instanceof Promise ? await loaded : loaded;
      batch = engine.encoder.encodeText(input.bytes, maxRows);
    }
    const body = batch ? null : toPredictBody(input);
    const cacheKey = cacheable && body ? ResultCache.key(name, version.version, body.inputs ?? body.instances) : null;
    if (cacheKey) {
      const hit = await this.results.get(cacheKey);
      this.metrics.resultCacheBy[hit ? 'hit' : 'miss'].inc();
      if (hit) return { ...hit, cached: true };
    } else {
      this.metrics.resultCacheBy.bypass.inc();
    }

    if (!engine) {
      const loaded = this.engineFor(version);
      engine = loaded instanceof Promise ? await loaded : loaded;
    }
    batch ??= engine.encoder.encode(body!, maxRows);
    let result: PredictResult;
    try {
      const outputs = await engine.run(batch.feeds, batch.rows);
      result = {
        model: name,
        version: version.version,
        predictions: formatRows(outputs, batch.rows),
        cached: false,
        fallback: null,
      };
    } catch (err) {
      // Production that fails at run time or times out gets one retry on the previous production version.
      const timedOut = err instanceof InferenceError && err.code === 'INFERENCE_TIMEOUT';
      if (!isProductionRef(ref) || (err instanceof DomainError && !timedOut)) throw this.wrap(err);
      result = await this.fallback(name, version, body ?? toPredictBody(input), err);
    }
    // The local LRU has it at once; the answer does not wait for the shared cache's write.
    if (cacheKey && !result.fallback) void this.results.set(cacheKey, result);
    return result;
  }

  private async fallback(
    name: string,
    failed: ServableVersion,
    body: PredictBody,
    err: unknown,
  ): Promise<PredictResult> {
    const reason = err instanceof InferenceError && err.code === 'INFERENCE_TIMEOUT' ? 'timeout' : 'error';
    const previous = await this.source.previousProduction(name);
    if (previous === null || previous === failed.version) throw this.wrap(err);
    this.logger.warn({
      message: 'production failed; retrying on the previous production version',
      model: name,
      from: failed.version,
      to: previous,
      reason,
    });
    this.metrics.fallbacks.inc({ model: name, reason });
    const version = await this.source.resolve(name, { version: previous });
    const engine = await this.engineFor(version);
    const batch = engine.encoder.encode(body, this.config.MAX_ROWS_PER_REQUEST);
    const outputs = await engine.run(batch.feeds, batch.rows).catch((e: unknown) => {
      throw this.wrap(e);
    });
    return {
      model: name,
      version: version.version,
      predictions: formatRows(outputs, batch.rows),
      cached: false,
      fallback: { fromVersion: failed.version, toVersion: version.version, reason },
    };
  }

  /** Runs protocol tensors as given (no batching across requests: the caller shaped the batch). */
  async infer(
    principal: Principal,
    name: string,
    version: number | undefined,
    run: (engine: Engine) => Promise<Outputs>,
  ): Promise<{ version: ServableVersion; outputs: Outputs }> {
    const served: Served = {};
    try {
      const resolved = await this.routeFor(principal, name, version === undefined ? {} : { version });
      served.version = resolved.version;
      const engine = await this.engineFor(resolved);
      const outputs = await run(engine).catch((e: unknown) => {
        throw this.wrap(e, 'MODEL_FAILED');
      });
      this.metrics.countRequest('oip', name, resolved.version, 200);
      return { version: resolved, outputs };
    } catch (err) {
      this.countFailure('oip', name, served, err);
      throw err;
    }
  }

  /** A model the server does not know is counted without its name, so callers cannot grow the label set. */
  private countFailure(api: 'predict' | 'oip', name: string, served: Served, err: unknown): void {
    const status = toProblem(err, '')?.status ?? 500;
    const version = served.version ?? null;
    this.metrics.countRequest(api, version === null ? '' : name, version, status);
  }

  async describe(principal: Principal, name: string, version?: number): Promise<ServableVersion> {
    return this.routeFor(principal, name, version === undefined ? {} : { version });
  }

  /**
   * The protocol's readiness: a version that can serve is loaded now if it is not yet, except after an `unload`,
   * when it is not ready until it is loaded again (by `load`, or on demand by a request).
   */
  async ready(principal: Principal, name: string, version?: number): Promise<ServableVersion> {
    const resolved = await this.routeFor(principal, name, version === undefined ? {} : { version });
    if (this.unloaded.has(name) && !this.isLoaded(resolved)) {
      throw new InferenceError(
        'MODEL_NOT_READY',
        `Model ${name} was unloaded; load it through the repository extension (a request also loads it again).`,
      );
    }
    await this.engineFor(resolved);
    return resolved;
  }

  /** The repository extension's `load`: the version now, for the model's owner or an admin. */
  async load(principal: Principal, name: string, version?: number): Promise<ServableVersion> {
    const resolved = await this.routeFor(principal, name, version === undefined ? {} : { version });
    assertManageable(resolved, name, principal);
    await this.engineFor(resolved);
    this.unloaded.delete(name);
    return resolved;
  }

  isLoaded(v: { modelName: string; version: number }): boolean {
    return this.engines.has(versionKey(v));
  }

  /**
   * The repository extension's `unload`, for the model's owner or an admin: every version leaves this server's
   * memory. A request for it loads it again (production keeps serving), so the answer says so.
   */
  async unload(principal: Principal, name: string): Promise<Unloaded> {
    assertManageable(await this.source.access(name), name, principal);
    let removed = 0;
    for (const key of this.engines.keys()) {
      if (key.startsWith(`${name}@`) && (await this.engines.remove(key))) removed++;
    }
    for (const key of [...this.routes.keys()]) if (key.startsWith(`${name}#`)) this.routes.delete(key);
    this.unloaded.add(name);
    return { versions: removed, reloadsOnDemand: true };
  }

  /** The repository index: the versions holding an alias, of the models this key may see. */
  async listAliased(principal: Principal): ReturnType<VersionSource['listAliased']> {
    return (await this.source.listAliased()).filter((v) => canSee(v, principal));
  }

  get modelCacheCounters(): ModelCache<Engine>['counters'] {
    return this.engines.counters;
  }

  /** A loaded version's engine at once; a version being loaded, a promise of it. */
  private engineFor(version: ServableVersion): Engine | Promise<Engine> {
    const key = versionKey(version);
    if (this.known.get(key) !== version) {
      this.known.set(key, version);
      if (version.aliases.length > 0) this.engines.pin(key);
    }
    const engine = this.engines.get(key);
    return engine instanceof Engine ? engine : this.whenLoaded(version, engine);
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

  private loadEngine(key: string): Promise<{ value: Engine; bytes: number }> {
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

  /** Where a reference points, for a key that may see the model; MODEL_NOT_FOUND otherwise. */
  private routeFor(principal: Principal, name: string, ref: VersionRef): ServableVersion | Promise<ServableVersion> {
    const routed = this.route(name, ref);
    if (!(routed instanceof Promise)) return assertServable(routed, principal);
    return routed.then(
      (version) => assertServable(version, principal),
      (err: unknown) => hideFrom(err, name, principal, (n) => this.source.access(n)),
    );
  }

  /**
   * Where a reference points. Resolutions are kept in memory and refreshed every ALIAS_REFRESH_MS; a moved
   * alias is switched only after its new target is loaded, so the first request never pays for the load.
   */
  private route(name: string, ref: VersionRef): ServableVersion | Promise<ServableVersion> {
    const key = routeKey(name, ref);
    return this.routes.get(key) ?? this.resolving.get(key) ?? this.resolveRoute(key, name, ref);
  }

  /** Requests that arrive while a route is being resolved wait for that resolution (no herd of lookups). */
  private resolveRoute(key: string, name: string, ref: VersionRef): Promise<ServableVersion> {
    const resolving = this.source
      .resolve(name, ref)
      .then((version) => {
        this.routes.set(key, version);
        this.unstamped.add(name);
        return version;
      })
      .finally(() => this.resolving.delete(key));
    this.resolving.set(key, resolving);
    return resolving;
  }

  /**
   * One query tells which models changed since the last refresh; only their routes are resolved again (a route
   * costs several queries), so an idle registry costs one query a second however many routes are served.
   */
  private async refreshRoutes(): Promise<void> {
    if (this.refreshing || this.routes.size === 0) return;
    this.refreshing = true;
    try {
      const names = [...new Set([...this.routes.keys()].map((key) => key.split('#')[0]))];
      const unstamped = this.unstamped;
      this.unstamped = new Set();
      let stamps: Map<string, string>;
      try {
        stamps = await this.source.resolutionStamps(names);
      } catch (err) {
        // The registry is unreachable: keep serving what is known, and check again next time.
        for (const name of unstamped) this.unstamped.add(name);
        this.logger.warn({ message: 'could not refresh model routes', error: (err as Error).message });
        return;
      }
      const live = new Set<string>();
      for (const [key, route] of [...this.routes]) {
        const [name, kind, value] = key.split('#');
        const stamp = stamps.get(name);
        let next = route;
        if (stamp === undefined || stamp !== this.routeStamps.get(name) || unstamped.has(name)) {
          const ref: VersionRef = kind === 'v' ? { version: Number(value) } : { alias: value };
          try {
            next = await this.source.resolve(name, ref);
            if (next.version !== route.version || next.aliases.join() !== route.aliases.join()) {
              if (this.engines.has(versionKey(route))) await this.engineFor(next);
              this.known.set(versionKey(next), next);
            }
          } catch {
            this.routes.delete(key);
            continue;
          }
          this.routes.set(key, next);
        }
        if (next.aliases.length) live.add(versionKey(next));
      }
      this.routeStamps = stamps;
      this.engines.setPinned(live);
    } finally {
      this.refreshing = false;
    }
  }

  /** A model's own failure: 503 on predict (a fallback may answer), 500 on the protocol (its runtime fault). */
  private wrap(err: unknown, code: 'INFERENCE_FAILED' | 'MODEL_FAILED' = 'INFERENCE_FAILED'): Error {
    if (err instanceof DomainError) return err;
    this.logger.error({ message: 'inference failed', error: (err as Error).message });
    return new InferenceError(code, `The model failed to run: ${(err as Error).message}`);
  }
}

function routeKey(name: string, ref: VersionRef): string {
  return ref.version !== undefined ? `${name}#v#${ref.version}` : `${name}#a#${ref.alias ?? PRODUCTION}`;
}

function isProductionRef(ref: VersionRef): boolean {
  return ref.version === undefined && (ref.alias === undefined || ref.alias === PRODUCTION);
}
