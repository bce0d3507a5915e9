import { Injectable, Logger } from '@nestjs/common';
import { Assignment, ExperimentMetrics } from 'src/modules/experiments';
import { Principal } from 'src/platform/auth';
import { Engine } from './engine';
import { EngineCache } from './engine-cache';
import { RowPrediction } from './output-format';
import { VersionRouter } from './version-router';

/**
 * Shadow runs at once beyond this are dropped (and counted), never queued: a shadow must not take the served
 * traffic's CPU when the server is busy, and an unbounded queue would grow without limit under load.
 */
export const MAX_SHADOW_IN_FLIGHT = 4;

/**
 * Runs a routed request again on the experiment's shadow version after the answer has gone: its output is only
 * compared with the served one, never returned; its time, errors and agreement go to the experiment's metrics.
 */
@Injectable()
export class ShadowRunner {
  private readonly logger = new Logger('Experiments');
  private inFlight = 0;

  constructor(
    private readonly router: VersionRouter,
    private readonly engines: EngineCache,
    private readonly metrics: ExperimentMetrics,
  ) {}

  get running(): number {
    return this.inFlight;
  }

  /** Maybe runs `runOn` on the shadow version (the experiment's percent of requests); never throws. */
  offer<T>(
    a: Assignment,
    principal: Principal,
    name: string,
    runOn: (engine: Engine) => Promise<T>,
    agrees: (shadow: T) => boolean,
  ): void {
    const shadow = a.shadow;
    if (!shadow || shadow.percent <= 0 || Math.random() * 100 >= shadow.percent) return;
    if (this.inFlight >= MAX_SHADOW_IN_FLIGHT) {
      this.metrics.shadowed(a, { kind: 'dropped' });
      return;
    }
    this.inFlight += 1;
    // After this turn of the event loop, so the served answer is written first.
    setImmediate(() => {
      void this.run(a, principal, name, shadow.version, runOn, agrees).finally(() => (this.inFlight -= 1));
    });
  }

  private async run<T>(
    a: Assignment,
    principal: Principal,
    name: string,
    version: number,
    runOn: (engine: Engine) => Promise<T>,
    agrees: (shadow: T) => boolean,
  ): Promise<void> {
    const started = performance.now();
    try {
      const route = await this.router.route(name, { version }, { principal });
      const engine = await this.engines.engineFor(route.version);
      const out = await runOn(engine);
      const seconds = (performance.now() - started) / 1000;
      this.metrics.shadowed(a, { kind: 'ran', seconds, error: false, agreed: agrees(out) });
    } catch (err) {
      const seconds = (performance.now() - started) / 1000;
      this.metrics.shadowed(a, { kind: 'ran', seconds, error: true, agreed: false });
      this.logger.debug({ message: 'shadow run failed', model: name, version, error: (err as Error).message });
    }
  }
}

/** Two answers agree when each row has the same label (classifiers) or the same value to 1e-6 (regressors). */
export function agree(served: RowPrediction[], shadow: RowPrediction[]): boolean {
  if (served.length !== shadow.length) return false;
  return served.every((s, i) => {
    const o = shadow[i];
    if (s.label !== undefined || o.label !== undefined) return s.label === o.label;
    if (s.value !== undefined && o.value !== undefined) {
      return Math.abs(s.value - o.value) <= 1e-6 * Math.max(1, Math.abs(s.value));
    }
    return JSON.stringify(s) === JSON.stringify(o);
  });
}
