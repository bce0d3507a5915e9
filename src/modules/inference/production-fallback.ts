import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from 'src/platform/config';
import { DomainError } from 'src/platform/errors';
import { EngineCache } from './engine-cache';
import { InferenceError } from './inference.errors';
import { InferenceMetrics } from './inference.metrics';
import { formatRows, RowPrediction } from './output-format';
import { PredictBody } from './row-encoder';
import { ServableVersion } from './servable';
import { VERSION_SOURCE, VersionSource } from './version-source';

export interface Fallback {
  fromVersion: number;
  toVersion: number;
  reason: string;
}

/** A model's own failure: 503 on predict (a fallback may answer), 500 on the protocol (its runtime fault). */
export function modelFailure(err: unknown, code: 'INFERENCE_FAILED' | 'MODEL_FAILED' = 'INFERENCE_FAILED'): Error {
  if (err instanceof DomainError) return err;
  new Logger('Inference').error({ message: 'inference failed', error: (err as Error).message });
  return new InferenceError(code, `The model failed to run: ${(err as Error).message}`);
}

/** Only a run-time failure or a timeout falls back; a refused input (a domain error) is the caller's. */
export function mayFallBack(err: unknown): boolean {
  const timedOut = err instanceof InferenceError && err.code === 'INFERENCE_TIMEOUT';
  return timedOut || !(err instanceof DomainError);
}

/** Production that fails at run time or times out gets one retry on the previous production version. */
@Injectable()
export class ProductionFallback {
  private readonly logger = new Logger('Inference');

  constructor(
    @Inject(VERSION_SOURCE) private readonly source: VersionSource,
    private readonly engines: EngineCache,
    private readonly config: AppConfig,
    private readonly metrics: InferenceMetrics,
  ) {}

  async run(
    failed: ServableVersion,
    body: PredictBody,
    err: unknown,
  ): Promise<{ version: number; predictions: RowPrediction[]; fallback: Fallback }> {
    const name = failed.modelName;
    const reason = err instanceof InferenceError && err.code === 'INFERENCE_TIMEOUT' ? 'timeout' : 'error';
    const previous = await this.source.previousProduction(name);
    if (previous === null || previous === failed.version) throw modelFailure(err);
    this.logger.warn({
      message: 'production failed; retrying on the previous production version',
      model: name,
      from: failed.version,
      to: previous,
      reason,
    });
    this.metrics.fallbacks.inc({ model: name, reason });
    const version = await this.source.resolve(name, { version: previous });
    const engine = await this.engines.engineFor(version);
    const batch = engine.encoder.encode(body, this.config.MAX_ROWS_PER_REQUEST);
    const outputs = await engine.run(batch.feeds, batch.rows).catch((e: unknown) => {
      throw modelFailure(e);
    });
    return {
      version: version.version,
      predictions: formatRows(outputs, batch.rows),
      fallback: { fromVersion: failed.version, toVersion: version.version, reason },
    };
  }
}
