import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Assignment, HeaderReader, RunningExperiments } from 'src/modules/experiments';
import { PRODUCTION } from 'src/modules/registry';
import { Principal } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { EngineCache } from './engine-cache';
import { ServableVersion } from './servable';
import { assertServable, hideFrom } from './serving-access';
import { VERSION_SOURCE, VersionRef, VersionSource } from './version-source';

/**
 * Who asks. Routing reads it to check the key may see the model, and, while an A/B experiment runs on the model,
 * the header naming the unit a variant is assigned to, so a unit keeps its variant.
 */
export interface RouteContext {
  principal: Principal;
  /** The request's headers by lower-case name; without it a routed request is assigned at random. */
  header?: HeaderReader;
}

/** The answer to "which version serves this request". */
export interface Route {
  readonly version: ServableVersion;
  /** Asked through the production alias: a failure may fall back to the previous production version. */
  readonly production: boolean;
  /** Set when a running experiment chose the version: the variant the request was assigned to. */
  readonly assignment?: Assignment;
}

const NO_HEADERS: HeaderReader = () => undefined;

/** What a model's routes are keyed by: the version asked for, or the alias (production when none is given). */
type RouteRef = { readonly version: number } | { readonly alias: string };

/** A model's resolved routes, by version and by alias, each as the Route object handed to callers. */
interface ModelRoutes {
  readonly byVersion: Map<number, Route>;
  readonly byAlias: Map<string, Route>;
}

/** Told when routes change, so the engines follow (the engine cache). */
export interface RouteListener {
  /** An alias moved from `from` to `to`: load `to` first when `from` was loaded, so no request pays for it. */
  moved(from: ServableVersion, to: ServableVersion): Promise<void>;
  /** The versions holding an alias now (kept in memory). */
  aliased(versions: ServableVersion[]): void;
}

const toRouteRef = (ref: VersionRef): RouteRef =>
  ref.version !== undefined ? { version: ref.version } : { alias: ref.alias ?? PRODUCTION };

/**
 * Which version serves a request: resolutions are kept in memory per model (by version and by alias) and
 * refreshed every ALIAS_REFRESH_MS, so a known route costs no query and no await. Each request is checked against
 * the owner and visibility the route remembers, before anything is served from it. A moved alias is switched
 * only after its new target is loaded. Variant choice for A/B experiments belongs here, in `route`.
 */
@Injectable()
export class VersionRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Inference');
  private readonly models = new Map<string, ModelRoutes>();
  /** Resolutions under way: requests that arrive meanwhile wait for them (no herd of lookups). */
  private readonly resolving = new Map<string, Map<string, Promise<Route>>>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** Each routed model's resolution stamp when its routes were last resolved by a refresh. */
  private stamps = new Map<string, string>();
  /** Models with a route resolved since the last refresh began: resolved at a state no stamp was taken of. */
  private unstamped = new Set<string>();

  constructor(
    @Inject(VERSION_SOURCE) private readonly source: VersionSource,
    private readonly config: AppConfig,
    @Inject(EngineCache) private readonly listener: RouteListener,
    @Inject(RunningExperiments) private readonly experiments: Pick<RunningExperiments, 'assign' | 'refresh'>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.refreshTimer = setInterval(() => {
      void this.refresh();
      // Experiments started, reweighted or stopped on another replica reach this one within the same period.
      void this.experiments.refresh();
    }, this.config.ALIAS_REFRESH_MS);
    this.refreshTimer.unref();
    await this.experiments.refresh();
  }

  onApplicationShutdown(): void {
    clearInterval(this.refreshTimer);
  }

  /**
   * The route for a reference, for a key that may see the model (MODEL_NOT_FOUND otherwise). A known route is
   * returned at once; an unknown one, as a promise.
   */
  route(name: string, ref: VersionRef, ctx: RouteContext): Route | Promise<Route> {
    if (ref.version === undefined && ref.alias === undefined) {
      const assignment = this.experiments.assign(name, ctx.header ?? NO_HEADERS);
      if (assignment) return this.routeVariant(name, assignment, ctx);
    }
    return this.routeRef(name, ref, ctx);
  }

  /**
   * The variant's version, served as production would be (a failure falls back to the previous production
   * version, recorded against the variant).
   */
  private routeVariant(name: string, assignment: Assignment, ctx: RouteContext): Route | Promise<Route> {
    const routed = this.routeRef(name, { version: assignment.version }, ctx);
    const wrap = (r: Route): Route => ({ version: r.version, production: true, assignment });
    return routed instanceof Promise ? routed.then(wrap) : wrap(routed);
  }

  private routeRef(name: string, ref: VersionRef, ctx: RouteContext): Route | Promise<Route> {
    const key = toRouteRef(ref);
    const known = this.lookup(name, key);
    if (known) {
      assertServable(known.version, ctx.principal);
      return known;
    }
    return this.resolve(name, key, ref).then(
      (route) => {
        assertServable(route.version, ctx.principal);
        return route;
      },
      (err: unknown) => hideFrom(err, name, ctx.principal, (n) => this.source.access(n)),
    );
  }

  /** Forgets a model's routes (after an unload): the next request resolves them again. */
  forget(name: string): void {
    this.models.delete(name);
  }

  private lookup(name: string, ref: RouteRef): Route | undefined {
    const routes = this.models.get(name);
    if (!routes) return undefined;
    return 'version' in ref ? routes.byVersion.get(ref.version) : routes.byAlias.get(ref.alias);
  }

  private store(name: string, ref: RouteRef, route: Route): void {
    let routes = this.models.get(name);
    if (!routes) this.models.set(name, (routes = { byVersion: new Map(), byAlias: new Map() }));
    if ('version' in ref) routes.byVersion.set(ref.version, route);
    else routes.byAlias.set(ref.alias, route);
  }

  /** `asked` is the reference as the caller gave it (the registry is asked the same). */
  private resolve(name: string, ref: RouteRef, asked: VersionRef): Promise<Route> {
    const id = 'version' in ref ? `v${ref.version}` : `a${ref.alias}`;
    let pending = this.resolving.get(name);
    const under = pending?.get(id);
    if (under) return under;
    if (!pending) this.resolving.set(name, (pending = new Map<string, Promise<Route>>()));
    const resolving = this.source
      .resolve(name, asked)
      .then((version) => {
        const route = routeTo(version, ref);
        this.store(name, ref, route);
        this.unstamped.add(name);
        return route;
      })
      .finally(() => {
        pending.delete(id);
        if (pending.size === 0 && this.resolving.get(name) === pending) this.resolving.delete(name);
      });
    pending.set(id, resolving);
    return resolving;
  }

  /**
   * One query tells which models changed since the last refresh; only their routes are resolved again (a route
   * costs several queries), so an idle registry costs one query a second however many routes are served.
   */
  async refresh(): Promise<void> {
    if (this.refreshing || this.models.size === 0) return;
    this.refreshing = true;
    try {
      const unstamped = this.unstamped;
      this.unstamped = new Set();
      let stamps: Map<string, string>;
      try {
        stamps = await this.source.resolutionStamps([...this.models.keys()]);
      } catch (err) {
        // The registry is unreachable: keep serving what is known, and check again next time.
        for (const name of unstamped) this.unstamped.add(name);
        this.logger.warn({ message: 'could not refresh model routes', error: (err as Error).message });
        return;
      }
      const aliased: ServableVersion[] = [];
      for (const [name, routes] of [...this.models]) {
        const stamp = stamps.get(name);
        const stale = stamp === undefined || stamp !== this.stamps.get(name) || unstamped.has(name);
        for (const [ref, route] of entries(routes)) {
          const next = stale ? await this.reresolve(name, ref, route) : route;
          if (next?.version.aliases.length) aliased.push(next.version);
        }
      }
      this.stamps = stamps;
      this.listener.aliased(aliased);
    } finally {
      this.refreshing = false;
    }
  }

  /** The route resolved again (its new engine loaded first when it moved); one that no longer resolves is dropped. */
  private async reresolve(name: string, ref: RouteRef, route: Route): Promise<Route | null> {
    const routes = this.models.get(name);
    const drop = (): null => {
      if ('version' in ref) routes?.byVersion.delete(ref.version);
      else routes?.byAlias.delete(ref.alias);
      return null;
    };
    try {
      const version = await this.source.resolve(name, ref);
      // Always the fresh resolution: it carries the model's owner and visibility as they are now.
      const next = routeTo(version, ref);
      if (version.version !== route.version.version || version.aliases.join() !== route.version.aliases.join()) {
        await this.listener.moved(route.version, version);
      }
      if (this.models.get(name) !== routes) return null;
      this.store(name, ref, next);
      return next;
    } catch {
      return drop();
    }
  }
}

function routeTo(version: ServableVersion, ref: RouteRef): Route {
  return { version, production: 'alias' in ref && ref.alias === PRODUCTION };
}

function entries(routes: ModelRoutes): [RouteRef, Route][] {
  return [
    ...[...routes.byVersion].map(([version, route]): [RouteRef, Route] => [{ version }, route]),
    ...[...routes.byAlias].map(([alias, route]): [RouteRef, Route] => [{ alias }, route]),
  ];
}
