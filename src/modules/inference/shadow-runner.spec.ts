import type { Assignment, ExperimentMetrics, ShadowObservation } from 'src/modules/experiments';
import { Principal } from 'src/platform/auth';
import type { EngineCache } from './engine-cache';
import { agree, MAX_SHADOW_IN_FLIGHT, ShadowRunner } from './shadow-runner';
import type { VersionRouter } from './version-router';

const principal: Principal = { keyId: 'k', owner: 'alice', scopes: ['predict'], isAdmin: false };
const assignment: Assignment = {
  experimentId: 'e1',
  experiment: 'exp',
  variant: 'control',
  version: 1,
  random: false,
  shadow: { version: 2, percent: 100 },
  unitHeader: 'x-user-id',
  weightsSince: 0,
};

describe('ShadowRunner', () => {
  it('should drop and count shadow work beyond the in-flight limit when the shadow version is slow', async () => {
    const seen: ShadowObservation[] = [];
    const metrics = { shadowed: (_a: Assignment, o: ShadowObservation) => seen.push(o) };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const router = { route: () => ({ version: { modelName: 'm', version: 2 }, production: false }) };
    const engines = { engineFor: () => ({}) };
    const runner = new ShadowRunner(
      router as unknown as VersionRouter,
      engines as unknown as EngineCache,
      metrics as unknown as ExperimentMetrics,
    );
    for (let i = 0; i < MAX_SHADOW_IN_FLIGHT + 3; i++) {
      runner.offer(
        assignment,
        principal,
        'm',
        () => gate.then(() => 1),
        (x) => x === 1,
      );
    }
    expect(seen.filter((o) => o.kind === 'dropped')).toHaveLength(3);
    expect(runner.running).toBe(MAX_SHADOW_IN_FLIGHT);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.running).toBe(0);
    expect(seen.filter((o) => o.kind === 'ran' && o.agreed)).toHaveLength(MAX_SHADOW_IN_FLIGHT);
  });

  it('should not run at all when the experiment has no shadow', () => {
    const runner = new ShadowRunner({} as VersionRouter, {} as EngineCache, {} as ExperimentMetrics);
    runner.offer(
      { ...assignment, shadow: null },
      principal,
      'm',
      () => Promise.resolve(1),
      () => true,
    );
    expect(runner.running).toBe(0);
  });

  it('should agree on labels and on values to 1e-6 and disagree otherwise when rows are compared', () => {
    expect(agree([{ label: 1, probabilities: [0.2, 0.8] }], [{ label: 1, probabilities: [0.3, 0.7] }])).toBe(true);
    expect(agree([{ label: 1 }], [{ label: 0 }])).toBe(false);
    expect(agree([{ value: 1.0000001 }], [{ value: 1 }])).toBe(true);
    expect(agree([{ value: 1.1 }], [{ value: 1 }])).toBe(false);
    expect(agree([{ value: 1 }], [])).toBe(false);
  });
});
