/**
 * Every event's payload, by type. Empty here: each module adds its own events from its `<module>.events.ts`
 * (declaration merging), so platform/ needs no import from modules/ and `publish` still knows every type.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventMap {}

export type EventType = Extract<keyof EventMap, string>;
export type EventPayload<T extends EventType> = EventMap[T];

/** One row of the catalogue served at GET /api/v1/webhooks/event-types. */
export interface EventTypeDescription {
  type: string;
  /** The module that publishes it. */
  source: string;
  description: string;
}

declare const PAYLOAD: unique symbol;

/** An event's description, carrying its payload type `P` for the type system only. */
export interface EventSpec<P extends object> {
  description: string;
  readonly [PAYLOAD]?: P;
}

/** Declares an event whose `data` is a `P`. */
export function event<P extends object>(description: string): EventSpec<P> {
  return { description };
}

/** The payload types of a `defineEvents` result, to merge into EventMap. */
export type PayloadsOf<D> = { [K in keyof D]: D[K] extends EventSpec<infer P> ? P : never };

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const catalogue = new Map<string, EventTypeDescription>();

/**
 * Adds a module's events to the catalogue (when the module is loaded) and returns them, so that their payload
 * types can be merged into EventMap:
 *
 *     export const REGISTRY_EVENTS = defineEvents('registry', { 'model.registered': event<X>('...') });
 *     declare module 'src/platform/events/event-map' {
 *       interface EventMap extends PayloadsOf<typeof REGISTRY_EVENTS> {}
 *     }
 */
export function defineEvents<D extends Record<string, EventSpec<object>>>(source: string, specs: D): D {
  for (const [type, spec] of Object.entries(specs)) {
    if (!EVENT_TYPE.test(type)) throw new Error(`event type ${type} is not of the form area.action`);
    const known = catalogue.get(type);
    if (known && known.source !== source) throw new Error(`event type ${type} is declared by ${known.source} too`);
    catalogue.set(type, { type, source, description: spec.description });
  }
  return specs;
}

/** Every declared event, grouped by publishing module (alphabetical), in declaration order within a module. */
export function eventCatalogue(): EventTypeDescription[] {
  const all = [...catalogue.values()];
  const sources = [...new Set(all.map((e) => e.source))].sort();
  return sources.flatMap((s) => all.filter((e) => e.source === s)).map((e) => ({ ...e }));
}

export function isDeclaredEvent(type: string): type is EventType {
  return catalogue.has(type);
}
