import type { AuditChange } from './audit-record.entity';

const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 3;
/** Fields whose values are never written, whoever passes them. */
const SECRET_FIELD = /secret|password|^hash$|^key$|apikey|^signature$/i;
// Lone surrogates and NUL: jsonb refuses them, and a refused audit append would roll the change back.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/g;

/** A small, storable copy of a value: long strings and arrays cut, dates as ISO strings, deep objects summarised. */
export function clampValue(value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const clean = value.replace(UNSTORABLE, '\ufffd');
    return clean.length > MAX_STRING ? `${clean.slice(0, MAX_STRING)}… (${clean.length} chars)` : clean;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `[${value.length} items]` : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => clampValue(v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).slice(0, MAX_ITEMS)) {
      out[k] = SECRET_FIELD.test(k) ? '[redacted]' : clampValue(v, depth + 1);
    }
    return out;
  }
  return typeof value; // functions and symbols: only their kind
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(clampValue(a)) === JSON.stringify(clampValue(b));

/**
 * `{field: {from, to}}` for each listed field whose value differs between `before` and `after` (a missing object
 * is a creation or a deletion). Only the listed fields are looked at: callers name what is safe to show.
 */
export function changesOf<T extends object>(
  before: Partial<T> | null | undefined,
  after: Partial<T> | null | undefined,
  fields: readonly (keyof T & string)[],
): Record<string, AuditChange> {
  const changes: Record<string, AuditChange> = {};
  for (const field of fields) {
    const from = before ? before[field] : undefined;
    const to = after ? after[field] : undefined;
    if (before && after && same(from, to)) continue;
    if (!before && to === undefined) continue;
    if (!after && from === undefined) continue;
    const change: AuditChange = {};
    if (before) change.from = SECRET_FIELD.test(field) ? '[redacted]' : clampValue(from);
    if (after) change.to = SECRET_FIELD.test(field) ? '[redacted]' : clampValue(to);
    changes[field] = change;
  }
  return changes;
}
