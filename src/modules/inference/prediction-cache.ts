import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { AppConfig } from 'src/platform/config';
import { RawJson } from 'src/platform/json';
import { InferenceMetrics } from './inference.metrics';
import type { RowPrediction } from './output-format';
import { CachedResult, ResultCache } from './result-cache';
import { EncodedBatch, PredictBody } from './row-encoder';

/** What the cache keeps of a prediction: its answer without `cached` and `requestId` (see `text`). */
export interface Cacheable {
  model: string;
  version: number;
}

/** Where a request's result is looked up and stored. */
export interface CacheSlot {
  /** Model, version and canonical input (ResultCache.canonical or ResultCache.tensors). */
  canonical: string;
  /** The exact body's key, when the body came as its bytes. */
  textKey?: string;
}

/**
 * The result cache as predict uses it: which requests may use it, the lookups (the body's exact text first, its
 * canonical input next: the tensors when the body was read straight into them, the canonical JSON rows otherwise), the stores, the counters, and the answer text of a hit. The caller checks the key's
 * access to the model before any lookup.
 */
@Injectable()
export class PredictionCache {
  private readonly results: ResultCache;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: InferenceMetrics,
    @Inject(CACHE_MANAGER) cache: Cache,
  ) {
    this.results = new ResultCache({
      ttlMs: config.RESULT_CACHE_TTL_MS,
      maxEntries: config.RESULT_CACHE_MAX_ENTRIES,
      shared: config.REDIS_URL ? cache : null,
    });
  }

  /** Off, asked to be skipped (`no-cache`), or a body over RESULT_CACHE_MAX_BYTES: counted as a bypass. */
  bypasses(noCache: boolean | undefined, bodyBytes: number | undefined): boolean {
    const bypass =
      this.config.RESULT_CACHE_TTL_MS <= 0 || noCache === true || (bodyBytes ?? 0) > this.config.RESULT_CACHE_MAX_BYTES;
    if (bypass) this.metrics.resultCacheBy.bypass.inc();
    return bypass;
  }

  /** The body's exact-bytes key, when it came as its bytes. */
  static textKey(model: string, version: number, input: unknown): string | undefined {
    return input instanceof RawJson ? ResultCache.textKey(model, version, input.bytes) : undefined;
  }

  /** A hit by the body's exact bytes (no parsing), or undefined. */
  hitByText(textKey: string | undefined): CachedResult | undefined {
    if (textKey === undefined) return undefined;
    const hit = this.results.getByText(textKey);
    if (hit) this.metrics.resultCacheBy.hit.inc();
    return hit;
  }

  /** The rows' canonical input: model, version and the canonical JSON of the parsed rows. */
  static ofRows(model: string, version: number, body: PredictBody): string {
    return ResultCache.canonical(model, version, body.inputs ?? body.instances);
  }

  /** The tensors' canonical input, for a body read straight into tensors (no JSON tree to canonicalise). */
  static ofTensors(model: string, version: number, batch: EncodedBatch): string {
    return ResultCache.tensors(model, version, batch.feeds);
  }

  /** The request's slot, and the hit found by its canonical input, if any. */
  async lookup(canonical: string, textKey: string | undefined): Promise<{ slot: CacheSlot; hit?: CachedResult }> {
    const hit = await this.results.get(canonical);
    this.metrics.resultCacheBy[hit ? 'hit' : 'miss'].inc();
    if (hit && textKey !== undefined) this.results.linkText(textKey, hit);
    return { slot: { canonical, textKey }, hit };
  }

  store(slot: CacheSlot, version: number, text: string): void {
    this.results.set(slot.canonical, { version, text }, slot.textKey);
  }

  /**
   * A result's answer text up to its per-request part: made once, when the result is made, and kept by the cache
   * as it is, so neither a hit nor a miss serialises the predictions twice.
   */
  static text(result: Cacheable): string {
    return JSON.stringify(result).slice(0, -1);
  }

  /**
   * The JSON answer: equal to JSON.stringify({ ...result, cached, experiment?, requestId }) for the result `text` was
   * made of, `experimentJson` being JSON.stringify(experiment) (made once per variant, not per answer).
   */
  static answer(text: string, cached: boolean, requestId: string, experimentJson?: string): string {
    const routed = experimentJson === undefined ? '' : `,"experiment":${experimentJson}`;
    return `${text},"cached":${cached}${routed},"requestId":${JSON.stringify(requestId)}}`;
  }

  /** The predictions of a result's text (a cached answer's, for the rare caller that needs them as values). */
  static predictionsOf(text: string): RowPrediction[] {
    return (JSON.parse(`${text}}`) as { predictions: RowPrediction[] }).predictions;
  }

  clear(): void {
    this.results.clear();
  }
}
