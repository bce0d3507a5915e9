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
import { formatRows, RowPrediction } from './output-format';
import { predictionColumns } from './prediction-columns';
import {
  ExperimentServed,
  MatrixScorer,
  PredictAnswer,
  PredictOptions,
  PredictResult,
  Unloaded,
} from './predict-result';
import { CacheSlot, PredictionCache } from './prediction-cache';
import { CachedResult } from './result-cache';
import { mayFallBack, modelFailure, ProductionFallback } from './production-fallback';
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
    private readonly cache: PredictionCache,
    private readonly fallback: ProductionFallback,
    private readonly experimentMetrics: ExperimentMetrics,
    private readonly shadows: ShadowRunner,
    private readonly predictionLog: PredictionLog,
  ) {}

  /**
   * `body` is the request body: parsed JSON, or a RawJson the common case is read from without parsing. The answer
   * is JSON text: a cache hit reuses the text its result was stored as (see PredictionCache.text), also when an
   * experiment routed it (the experiment goes after that text).
   */
  async predictAnswer(
    principal: Principal,
    name: string,
    ref: VersionRef,
    body: unknown,
    options: PredictOptions = {},
  ): Promise<PredictAnswer> {
    const served: Served = {};
    const started = performance.now();
    try {
      const answered = await this.predictOnce(principal, name, ref, body, options, served);
      const { version, text, cached } = answered;
      this.metrics.countRequest('predict', name, version, 200);
      const a = served.assignment;
      if (!a) return { version, json: (requestId) => PredictionCache.answer(text, cached, requestId) };
      this.logRouted(a, started, principal, options, version, null);
      this.observeRouted(a, started, principal, name, body, answered);
      const experiment = experimentServed(a);
      return {
        version,
        variant: a.variant,
        json: (requestId) => PredictionCache.answer(text, cached, requestId, experiment.json),
      };
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
      clientRequestId: options.header?.('x-request-id') === options.requestId,
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
    result: Answered,
  ): void {
    const seconds = (performance.now() - started) / 1000;
    this.experimentMetrics.served(a, { seconds, error: false, fallback: result.fallback });
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
      (rows) => agree(result.predictions ?? PredictionCache.predictionsOf(result.text), rows),
    );
  }

  private async predictOnce(
    principal: Principal,
    name: string,
    ref: VersionRef,
    input: unknown,
    options: PredictOptions,
    served: Served,
  ): Promise<Answered> {
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
      if (byText) return cachedAnswer(byText);
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
      if (found.hit) return cachedAnswer(found.hit);
      slot = found.slot;
    }
    if (!batch) batch = engine.encoder.encode((body ??= toPredictBody(input)), maxRows);
    let outputs: Outputs;
    try {
      outputs = await engine.run(batch.feeds, batch.rows);
    } catch (err) {
      if (!route.production || !mayFallBack(err)) throw modelFailure(err);
      const retried = await this.fallback.run(version, body ?? toPredictBody(input), err);
      const { predictions, fallback } = retried;
      return answered({ model: name, version: retried.version, predictions, fallback });
    }
    const predictions = formatRows(outputs, batch.rows);
    const result = answered({ model: name, version: version.version, predictions, fallback: null });
    if (slot) this.cache.store(slot, result.version, result.text);
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
        ? { version: resolved, outputs, experiment: experimentServed(route.assignment).served }
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

  /**
   * Scores rows with a version for the server itself (evaluations): no key, no prediction cache, no fallback, no
   * request limit. The rows go to the worker pool as one run (off the event loop), in feature order.
   */
  async scoreRows(name: string, version: number, rows: Array<Record<string, unknown>>): Promise<RowPrediction[]> {
    const resolved = await this.source.resolve(name, { version });
    const loaded = this.engines.engineFor(resolved);
    const engine = loaded instanceof Promise ? await loaded : loaded;
    const names = engine.encoder.featureNames;
    const batch = engine.encoder.encode({ instances: rows.map((r) => names.map((f) => r[f])) }, rows.length);
    const outputs =
      engine.encoder.fixedRows === null
        ? await engine.runDirect(batch.feeds, batch.rows)
        : await engine.run(batch.feeds, batch.rows);
    return formatRows(outputs, batch.rows);
  }

  /**
   * A scorer of float32 matrices (`rows × features`, in its `features` order, values checked finite by the caller,
   * see toFloatMatrix) for the version, bound to its loaded engine so a run of many chunks resolves and looks the
   * version up once; null when its inputs need the row encoder (`scoreRows`). Each matrix's buffer is handed to
   * the worker (detached).
   */
  async matrixScorer(name: string, version: number): Promise<MatrixScorer | null> {
    const engine = await this.engineOf(name, version);
    const input = engine.encoder.matrixInput;
    if (input === null) return null;
    const features = engine.encoder.featureNames;
    const width = features.length;
    return {
      features,
      score: async (data, rows) => {
        if (data.length !== rows * width) {
          throw new InferenceError(
            'INVALID_INPUT',
            `Version ${version} of ${name} does not take a ${rows}-row matrix.`,
          );
        }
        return predictionColumns(await engine.runDirect({ [input]: { data, dims: [rows, width] } }, rows), rows);
      },
    };
  }

  private async engineOf(name: string, version: number): Promise<Engine> {
    const resolved = await this.source.resolve(name, { version });
    const loaded = this.engines.engineFor(resolved);
    return loaded instanceof Promise ? await loaded : loaded;
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

/**
 * A predict result as its answer's text up to the per-request part (PredictionCache.text), fresh or cached; a fresh
 * one also keeps its predictions (for a shadow run's agreement, without parsing the text again).
 */
interface Answered {
  version: number;
  text: string;
  cached: boolean;
  fallback: boolean;
  predictions?: RowPrediction[];
}

const answered = (result: Omit<PredictResult, 'cached' | 'experiment'>): Answered => ({
  version: result.version,
  text: PredictionCache.text(result),
  cached: false,
  fallback: result.fallback !== null,
  predictions: result.predictions,
});

/** Only an uncached answer can have fallen back (a fallback's result is not cached). */
const cachedAnswer = ({ version, text }: CachedResult): Answered => ({ version, text, cached: true, fallback: false });

const refOf = (version: number | undefined): VersionRef => (version === undefined ? {} : { version });

/** What answers say of an assignment, made once per assignment (they are made once per experiment refresh). */
const servedByAssignment = new WeakMap<Assignment, { served: ExperimentServed; json: string }>();

function experimentServed(a: Assignment): { served: ExperimentServed; json: string } {
  let made = servedByAssignment.get(a);
  if (!made) {
    const experiment: ExperimentServed = Object.freeze({
      id: a.experimentId,
      name: a.experiment,
      variant: a.variant,
      version: a.version,
      assignment: a.random ? 'random' : 'unit',
    });
    made = { served: experiment, json: JSON.stringify(experiment) };
    servedByAssignment.set(a, made);
  }
  return made;
}
