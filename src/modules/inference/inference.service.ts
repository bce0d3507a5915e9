import { Inject, Injectable } from '@nestjs/common';
import { Assignment, ExperimentMetrics, PredictionLog } from 'src/modules/experiments';
import { DomainError } from 'src/platform/errors';
import { canSee } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { RawJson } from 'src/platform/json';
import { Engine } from './engine';
import { EngineCache } from './engine-cache';
import { InferenceError } from './inference.errors';
import { InferenceMetrics } from './inference.metrics';
import { Outputs } from './micro-batcher';
import { ModelCache } from './model-cache';
import { formatRows } from './output-format';
import { ExperimentServed, PredictAnswer, PredictOptions, PredictResult, Unloaded } from './predict-result';
import { CacheSlot, PredictionCache } from './prediction-cache';
import { mayFallBack, modelFailure, ProductionFallback } from './production-fallback';
import { CachedResult } from './result-cache';
import { toPredictBody } from './row-encoder';
import { ServableVersion } from './servable';
import { assertManageable } from './serving-access';
import { agree, ShadowRunner } from './shadow-runner';
import { VERSION_SOURCE, VersionRef, VersionSource } from './version-source';
import { VersionRouter } from './version-router';

export { Fallback } from './production-fallback';
export { ExperimentServed, PredictAnswer, PredictOptions, PredictResult, Unloaded } from './predict-result';

/** What a request resolved to (for its metrics labels, and the experiment its answer names). */
interface Served {
  version?: number;
  assignment?: Assignment;
}

/**
 * Serves model versions, behind one façade: the router says which version serves a request (and whether the key
 * may see it), the engine cache holds the loaded models, the prediction cache answers repeats, and a failing
 * production version falls back once to the previous one. Every answer is counted by model, version and status.
 */
@Injectable()
export class InferenceService {
  constructor(
    @Inject(VERSION_SOURCE) private readonly source: VersionSource,
    private readonly config: AppConfig,
    private readonly metrics: InferenceMetrics,
    private readonly router: VersionRouter,
    private readonly engines: EngineCache,
    private readonly cache: PredictionCache<PredictResult>,
    private readonly fallback: ProductionFallback,
    private readonly experimentMetrics: ExperimentMetrics,
    private readonly shadows: ShadowRunner,
    private readonly predictionLog: PredictionLog,
  ) {}

  /** `body` is the request body: parsed JSON, or a RawJson the common case is read from without parsing. */
  async predict(
    principal: Principal,
    name: string,
    ref: VersionRef,
    body: unknown,
    options: PredictOptions = {},
  ): Promise<PredictResult> {
    const served: Served = {};
    const outcome = await this.predictCounted(principal, name, ref, body, options, served);
    const result = outcome instanceof Hit ? PredictionCache.served(outcome.entry) : outcome;
    return served.assignment ? { ...result, experiment: experimentServed(served.assignment) } : result;
  }

  /** As `predict`, answered as JSON text: a cache hit reuses its answer's text (see PredictionCache.answer). */
  async predictAnswer(
    principal: Principal,
    name: string,
    ref: VersionRef,
    body: unknown,
    options: PredictOptions = {},
  ): Promise<PredictAnswer> {
    const served: Served = {};
    const outcome = await this.predictCounted(principal, name, ref, body, options, served);
    if (served.assignment) {
      // Not the cached answer text: the same cached result is served to several variants' requests.
      const result = outcome instanceof Hit ? PredictionCache.served(outcome.entry) : outcome;
      const experiment = experimentServed(served.assignment);
      return {
        version: result.version,
        variant: experiment.variant,
        json: (requestId) => JSON.stringify({ ...result, experiment, requestId }),
      };
    }
    if (outcome instanceof Hit) {
      const entry = outcome.entry;
      return { version: entry.value.version, json: (id) => PredictionCache.answer(entry, id) };
    }
    return { version: outcome.version, json: (requestId) => JSON.stringify({ ...outcome, requestId }) };
  }

  private async predictCounted(
    principal: Principal,
    name: string,
    ref: VersionRef,
    body: unknown,
    options: PredictOptions,
    served: Served,
  ): Promise<PredictResult | Hit> {
    const started = performance.now();
    try {
      const outcome = await this.predictOnce(principal, name, ref, body, options, served);
      const result = outcome instanceof Hit ? outcome.entry.value : outcome;
      this.metrics.countRequest('predict', name, result.version, 200);
      if (served.assignment) {
        this.logRouted(served.assignment, started, principal, options, result.version, null);
        this.observeRouted(served.assignment, started, principal, name, body, result);
      }
      return outcome;
    } catch (err) {
      this.metrics.countFailure('predict', name, served.version, err);
      if (served.assignment) this.logRouted(served.assignment, started, principal, options, null, err);
      throw err;
    }
  }

  /** A routed request's log entry and, when it failed, its metrics (a success's are in observeRouted). */
  private logRouted(
    a: Assignment,
    started: number,
    principal: Principal,
    options: PredictOptions,
    servedVersion: number | null,
    err: unknown,
  ): void {
    const ms = performance.now() - started;
    if (err !== null) this.experimentMetrics.served(a, { seconds: ms / 1000, error: true, fallback: false });
    if (options.requestId === undefined) return;
    const raw = options.header?.(a.unitHeader);
    this.predictionLog.record({
      requestId: options.requestId,
      assignment: a,
      unit: (Array.isArray(raw) ? raw[0] : raw) ?? null,
      callerOwner: principal.owner,
      servedVersion,
      latencyMs: ms,
      error: err === null ? null : err instanceof DomainError ? err.code : 'INTERNAL',
    });
  }

  /** A routed answer's metrics, and its shadow run (after the answer has gone). */
  private observeRouted(
    a: Assignment,
    started: number,
    principal: Principal,
    name: string,
    input: unknown,
    result: PredictResult,
  ): void {
    const seconds = (performance.now() - started) / 1000;
    this.experimentMetrics.served(a, { seconds, error: false, fallback: result.fallback !== null });
    const maxRows = this.config.MAX_ROWS_PER_REQUEST;
    this.shadows.offer(
      a,
      principal,
      name,
      async (engine) => {
        const batch =
          (input instanceof RawJson ? engine.encoder.encodeText(input.bytes, maxRows) : null) ??
          engine.encoder.encode(toPredictBody(input), maxRows);
        return formatRows(await engine.run(batch.feeds, batch.rows), batch.rows);
      },
      (rows) => agree(result.predictions, rows),
    );
  }

  private async predictOnce(
    principal: Principal,
    name: string,
    ref: VersionRef,
    input: unknown,
    options: PredictOptions,
    served: Served,
  ): Promise<PredictResult | Hit> {
    // Awaited only when not known yet: a known route and a loaded engine cost no trip through the microtasks.
    // The router checks the key's access before the result cache is asked: a cached answer never reaches a key
    // that may not see the model.
    const routed = this.router.route(name, ref, { principal, header: options.header });
    const route = routed instanceof Promise ? await routed : routed;
    const version = route.version;
    served.version = version.version;
    served.assignment = route.assignment;
    const cacheable = !this.cache.bypasses(options.noCache, options.bodyBytes);
    const textKey = cacheable ? PredictionCache.textKey(name, version.version, input) : undefined;
    if (textKey !== undefined) {
      const byText = this.cache.hitByText(textKey);
      if (byText) return new Hit(byText);
    }
    // The common body's text goes straight into a tensor (the scanner); any other body is parsed.
    let body = input instanceof RawJson ? null : toPredictBody(input);
    const loaded = this.engines.engineFor(version);
    const engine = loaded instanceof Promise ? await loaded : loaded;
    const maxRows = this.config.MAX_ROWS_PER_REQUEST;
    let batch = body ? null : engine.encoder.encodeText((input as RawJson).bytes, maxRows);
    let slot: CacheSlot | null = null;
    if (cacheable) {
      const canonical = batch
        ? PredictionCache.ofTensors(name, version.version, batch)
        : PredictionCache.ofRows(name, version.version, (body ??= toPredictBody(input)));
      const found = await this.cache.lookup(canonical, textKey);
      if (found.hit) return new Hit(found.hit);
      slot = found.slot;
    }
    if (!batch) batch = engine.encoder.encode((body ??= toPredictBody(input)), maxRows);
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
      if (!route.production || !mayFallBack(err)) throw modelFailure(err);
      const retried = await this.fallback.run(version, body ?? toPredictBody(input), err);
      return {
        model: name,
        version: retried.version,
        predictions: retried.predictions,
        cached: false,
        fallback: retried.fallback,
      };
    }
    if (slot) this.cache.store(slot, result);
    return result;
  }

  /** Runs protocol tensors as given (no batching across requests: the caller shaped the batch). */
  async infer(
    principal: Principal,
    name: string,
    version: number | undefined,
    run: (engine: Engine) => Promise<Outputs>,
    header?: PredictOptions['header'],
    requestId?: string,
  ): Promise<{ version: ServableVersion; outputs: Outputs; experiment?: ExperimentServed }> {
    const options: PredictOptions = { header, requestId };
    const served: Served = {};
    const started = performance.now();
    try {
      const route = await this.router.route(name, refOf(version), { principal, header });
      served.assignment = route.assignment;
      const resolved = route.version;
      served.version = resolved.version;
      const engine = await this.engines.engineFor(resolved);
      const outputs = await run(engine).catch((e: unknown) => {
        throw modelFailure(e, 'MODEL_FAILED');
      });
      this.metrics.countRequest('oip', name, resolved.version, 200);
      if (route.assignment) {
        const seconds = (performance.now() - started) / 1000;
        this.logRouted(route.assignment, started, principal, options, resolved.version, null);
        this.experimentMetrics.served(route.assignment, { seconds, error: false, fallback: false });
        const agrees = (o: Outputs): boolean => JSON.stringify(o) === JSON.stringify(outputs);
        this.shadows.offer(route.assignment, principal, name, run, agrees);
      }
      return route.assignment
        ? { version: resolved, outputs, experiment: experimentServed(route.assignment) }
        : { version: resolved, outputs };
    } catch (err) {
      this.metrics.countFailure('oip', name, served.version, err);
      if (served.assignment) this.logRouted(served.assignment, started, principal, options, null, err);
      throw err;
    }
  }

  async describe(principal: Principal, name: string, version?: number): Promise<ServableVersion> {
    return (await this.router.route(name, refOf(version), { principal })).version;
  }

  /**
   * The protocol's readiness: a version that can serve is loaded now if it is not yet, except after an `unload`,
   * when it is not ready until it is loaded again (by `load`, or on demand by a request).
   */
  async ready(principal: Principal, name: string, version?: number): Promise<ServableVersion> {
    const resolved = await this.describe(principal, name, version);
    if (this.engines.wasUnloaded(name) && !this.engines.isLoaded(resolved)) {
      throw new InferenceError(
        'MODEL_NOT_READY',
        `Model ${name} was unloaded; load it through the repository extension (a request also loads it again).`,
      );
    }
    await this.engines.engineFor(resolved);
    return resolved;
  }

  /** The repository extension's `load`: the version now, for the model's owner or an admin. */
  async load(principal: Principal, name: string, version?: number): Promise<ServableVersion> {
    const resolved = await this.describe(principal, name, version);
    assertManageable(resolved, name, principal);
    await this.engines.engineFor(resolved);
    this.engines.markLoaded(name);
    return resolved;
  }

  isLoaded(v: { modelName: string; version: number }): boolean {
    return this.engines.isLoaded(v);
  }

  /**
   * The repository extension's `unload`, for the model's owner or an admin: every version leaves this server's
   * memory. A request for it loads it again (production keeps serving), so the answer says so.
   */
  async unload(principal: Principal, name: string): Promise<Unloaded> {
    assertManageable(await this.source.access(name), name, principal);
    const versions = await this.engines.unload(name);
    this.router.forget(name);
    return { versions, reloadsOnDemand: true };
  }

  /** The repository index: the versions holding an alias, of the models this key may see. */
  async listAliased(principal: Principal): ReturnType<VersionSource['listAliased']> {
    return (await this.source.listAliased()).filter((v) => canSee(v, principal));
  }

  get modelCacheCounters(): ModelCache<Engine>['counters'] {
    return this.engines.counters;
  }
}

/** A result served from the cache (answered with `cached: true`). */
class Hit {
  constructor(readonly entry: CachedResult<PredictResult>) {}
}

const refOf = (version: number | undefined): VersionRef => (version === undefined ? {} : { version });

function experimentServed(a: Assignment): ExperimentServed {
  return {
    id: a.experimentId,
    name: a.experiment,
    variant: a.variant,
    version: a.version,
    assignment: a.random ? 'random' : 'unit',
  };
}
