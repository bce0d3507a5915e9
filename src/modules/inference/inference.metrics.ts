import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { toProblem } from 'src/platform/http';
import { boundCounter, boundHistogram, inner, MetricsService } from 'src/platform/metrics';

/** A metric bound to one label set (see boundCounter: prom-client's own children hash their labels per call). */
export interface Bound {
  inc(): void;
}
export interface BoundObserver {
  observe(value: number): void;
}

/** Per version, bound once when it loads. */
export interface VersionMetrics {
  duration: BoundObserver;
  batchSize: BoundObserver;
  queueWait: BoundObserver;
  inlineRuns: Bound;
}

@Injectable()
export class InferenceMetrics {
  readonly requests: Counter<'model' | 'version' | 'status' | 'api'>;
  readonly duration: Histogram<'model' | 'version'>;
  readonly batchSize: Histogram<'model'>;
  readonly queueWait: Histogram<'model'>;
  readonly resultCache: Counter<'result'>;
  readonly modelCache: Counter<'event'>;
  readonly fallbacks: Counter<'model' | 'reason'>;
  readonly inlineRuns: Counter<'model'>;
  readonly loadedBytes: Gauge;
  readonly loadedModels: Gauge;

  /** Bound children by api, model, version and status (no key string built per request). */
  private readonly requestChildren = new Map<string, Map<string, Map<number | null, Map<number, Bound>>>>();
  private readonly modelCacheBy = new Map<string, Bound>();
  readonly resultCacheBy: Record<'hit' | 'miss' | 'bypass', Bound>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'inference_requests_total',
      help: 'Inference requests by model, version, outcome status code and API (predict or oip)',
      labelNames: ['model', 'version', 'status', 'api'],
      registers,
    });
    this.duration = new Histogram({
      name: 'inference_duration_seconds',
      help: 'Time of one session.run (a merged batch counts once)',
      labelNames: ['model', 'version'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'inference_batch_rows',
      help: 'Rows per session.run after micro-batching',
      labelNames: ['model'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'inference_queue_wait_seconds',
      help: 'Time a request waited in the micro-batching queue',
      labelNames: ['model'],
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
    this.resultCache = new Counter({
      name: 'inference_result_cache_total',
      help: 'Result cache lookups by result (hit, miss, bypass)',
      labelNames: ['result'],
      registers,
    });
    this.modelCache = new Counter({
      name: 'inference_model_cache_events_total',
      help: 'Model cache events: hits, misses, loads, evictions',
      labelNames: ['event'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'inference_fallbacks_total',
      help: 'Requests retried on the previous production version',
      labelNames: ['model', 'reason'],
      registers,
    });
    this.inlineRuns = new Counter({
      name: 'inference_inline_runs_total',
      help: 'Runs made on the main thread (small runs of small shape-bounded models) instead of a worker',
      labelNames: ['model'],
      registers,
    });
    this.loadedBytes = new Gauge({ name: 'inference_model_cache_bytes', help: 'Bytes of loaded models', registers });
    this.loadedModels = new Gauge({ name: 'inference_models_loaded', help: 'Loaded model versions', registers });
    this.resultCacheBy = {
      hit: boundCounter(this.resultCache, { result: 'hit' }),
      miss: boundCounter(this.resultCache, { result: 'miss' }),
      bypass: boundCounter(this.resultCache, { result: 'bypass' }),
    };
  }

  forVersion(model: string, version: number): VersionMetrics {
    return {
      duration: boundHistogram(this.duration, { model, version: String(version) }),
      batchSize: boundHistogram(this.batchSize, { model }),
      queueWait: boundHistogram(this.queueWait, { model }),
      inlineRuns: boundCounter(this.inlineRuns, { model }),
    };
  }

  /** Model cache events (a hit per request): bound once per event name. */
  modelCacheEvent(event: string): void {
    let child = this.modelCacheBy.get(event);
    if (!child) this.modelCacheBy.set(event, (child = boundCounter(this.modelCache, { event })));
    child.inc();
  }

  /** `model` and `version` are empty when the request named no model the server knows (bounded labels). */
  countRequest(api: 'predict' | 'oip', model: string, version: number | null, status: number): void {
    const byStatus = inner(inner(inner(this.requestChildren, api), model), version);
    let child = byStatus.get(status);
    if (!child) {
      child = boundCounter(this.requests, {
        api,
        model,
        version: version === null ? '' : String(version),
        status: String(status),
      });
      byStatus.set(status, child);
    }
    child.inc();
  }

  /** A failed request, by the status its error answers; a model the server does not know is counted without its name. */
  countFailure(api: 'predict' | 'oip', model: string, version: number | undefined, err: unknown): void {
    const status = toProblem(err, '')?.status ?? 500;
    this.countRequest(api, version === undefined ? '' : model, version ?? null, status);
  }
}
