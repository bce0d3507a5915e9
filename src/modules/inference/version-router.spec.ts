import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { RegistryError } from 'src/modules/registry';
import { ServableVersion } from './servable';
import { ModelAccess, ServableSummary, VersionRef, VersionSource } from './version-source';
import { RouteListener, VersionRouter } from './version-router';

const owner: Principal = { keyId: 'k1', owner: 'alice', scopes: ['predict'], isAdmin: false };
const stranger: Principal = { keyId: 'k2', owner: 'bob', scopes: ['predict'], isAdmin: false };

function version(n: number, over: Partial<ServableVersion> = {}): ServableVersion {
  return {
    modelName: 'churn',
    owner: 'alice',
    visibility: 'public',
    version: n,
    artifactPath: `/a/${n}`,
    sha256: 'x',
    sizeBytes: 1,
    inputs: [],
    outputs: [],
    features: null,
    aliases: [],
    ...over,
  };
}

/** An in-memory registry: what each alias points at, and a stamp that changes with it. */
class FakeSource implements VersionSource {
  aliases = new Map<string, number>([['production', 1]]);
  visibility: 'public' | 'private' = 'public';
  stamp = 's1';
  resolved: VersionRef[] = [];

  resolve(_name: string, ref: VersionRef): Promise<ServableVersion> {
    this.resolved.push(ref);
    const n = ref.version ?? this.aliases.get(ref.alias ?? 'production');
    if (n === undefined) return Promise.reject(new RegistryError('ALIAS_NOT_FOUND', 'no such alias'));
    const aliases = [...this.aliases].filter(([, v]) => v === n).map(([a]) => a);
    return Promise.resolve(version(n, { aliases, visibility: this.visibility }));
  }
  previousProduction(): Promise<number | null> {
    return Promise.resolve(null);
  }
  resolutionStamps(names: string[]): Promise<Map<string, string>> {
    return Promise.resolve(new Map(names.map((n) => [n, this.stamp])));
  }
  listAliased(): Promise<ServableSummary[]> {
    return Promise.resolve([]);
  }
  access(): Promise<ModelAccess | null> {
    return Promise.resolve({ owner: 'alice', visibility: this.visibility });
  }
}

/** No experiment runs: routing by version and alias only. */
const NO_EXPERIMENTS = { assign: () => undefined, refresh: () => Promise.resolve() };

class Listener implements RouteListener {
  moves: [number, number][] = [];
  pinned: number[] = [];
  moved(from: ServableVersion, to: ServableVersion): Promise<void> {
    this.moves.push([from.version, to.version]);
    return Promise.resolve();
  }
  aliased(versions: ServableVersion[]): void {
    this.pinned = versions.map((v) => v.version);
  }
}

describe(VersionRouter.name, () => {
  let source: FakeSource;
  let listener: Listener;
  let router: VersionRouter;

  beforeEach(() => {
    source = new FakeSource();
    listener = new Listener();
    router = new VersionRouter(source, { ALIAS_REFRESH_MS: 1000 } as AppConfig, listener, NO_EXPERIMENTS);
  });

  it('should answer a known route at once, without asking the registry again, when it was resolved before', async () => {
    const first = await router.route('churn', {}, { principal: owner });
    const again = router.route('churn', {}, { principal: owner });
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toBe(first);
    expect(source.resolved).toHaveLength(1);
  });

  it('should mark only production routes for the fallback when refs name the alias, a version or another alias', async () => {
    source.aliases.set('staging', 2);
    expect((await router.route('churn', {}, { principal: owner })).production).toBe(true);
    expect((await router.route('churn', { alias: 'production' }, { principal: owner })).production).toBe(true);
    expect((await router.route('churn', { version: 1 }, { principal: owner })).production).toBe(false);
    const staging = await router.route('churn', { alias: 'staging' }, { principal: owner });
    expect([staging.production, staging.version.version]).toEqual([false, 2]);
  });

  it('should keep a version and an alias of the same text apart when both are routed', async () => {
    source.aliases.set('2', 1);
    expect((await router.route('churn', { version: 2 }, { principal: owner })).version.version).toBe(2);
    expect((await router.route('churn', { alias: '2' }, { principal: owner })).version.version).toBe(1);
  });

  it('should hide a private model from another key when its route is already known', async () => {
    source.visibility = 'private';
    await router.route('churn', {}, { principal: owner });
    expect(() => router.route('churn', {}, { principal: stranger })).toThrow(
      expect.objectContaining({ code: 'MODEL_NOT_FOUND' }),
    );
  });

  it('should hide why a private model cannot be resolved when the key may not see it', async () => {
    source.visibility = 'private';
    await expect(router.route('churn', { alias: 'nope' }, { principal: stranger })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    await expect(router.route('churn', { alias: 'nope' }, { principal: owner })).rejects.toMatchObject({
      code: 'ALIAS_NOT_FOUND',
    });
  });

  it('should resolve once when many requests ask for an unknown route at the same moment', async () => {
    await Promise.all(
      Array.from({ length: 8 }, () => Promise.resolve(router.route('churn', {}, { principal: owner }))),
    );
    expect(source.resolved).toHaveLength(1);
  });

  it('should switch a moved alias after telling the listener, and pin what holds an alias, when a refresh sees a new stamp', async () => {
    await router.route('churn', {}, { principal: owner });
    await router.refresh();
    source.aliases.set('production', 3);
    source.stamp = 's2';
    await router.refresh();
    expect(listener.moves).toEqual([[1, 3]]);
    expect(listener.pinned).toEqual([3]);
    expect((router.route('churn', {}, { principal: owner }) as { version: ServableVersion }).version.version).toBe(3);
  });

  it('should take the model visibility of the refresh when it changed without a move', async () => {
    await router.route('churn', {}, { principal: owner });
    await router.refresh();
    source.visibility = 'private';
    source.stamp = 's2';
    await router.refresh();
    expect(listener.moves).toEqual([]);
    expect(() => router.route('churn', {}, { principal: stranger })).toThrow(
      expect.objectContaining({ code: 'MODEL_NOT_FOUND' }),
    );
  });

  it('should resolve again when a model was forgotten', async () => {
    await router.route('churn', {}, { principal: owner });
    router.forget('churn');
    expect(router.route('churn', {}, { principal: owner })).toBeInstanceOf(Promise);
  });
});
