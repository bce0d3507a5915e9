/**
 * Canonical JSON, the one definition for every hash of JSON data (result-cache keys, contribution row hashes):
 * object keys sorted at every level, numbers in their shortest form (`1.0` is `1`, `-0` is `0`), and what JSON
 * cannot hold (undefined, NaN, ±Infinity, functions, bigints) written as `null`, an object's undefined keys
 * included, so that a value has one text whatever its key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const type = typeof value;
  // JSON.stringify writes -0 as 0 and NaN/Infinity as null.
  if (type === 'number' || type === 'string' || type === 'boolean') return JSON.stringify(value);
  if (type !== 'object') return 'null';
  return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
}

function canonicalArray(values: unknown[]): string {
  // A row of plain values (the usual case) has no keys to sort: JSON.stringify is already canonical.
  if (values.every(isPlain)) return JSON.stringify(values);
  let out = '[';
  for (let i = 0; i < values.length; i++) out += `${i > 0 ? ',' : ''}${canonicalJson(values[i])}`;
  return `${out}]`;
}

function canonicalObject(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    out += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:${canonicalJson(obj[keys[i]])}`;
  }
  return `${out}}`;
}

/** Values JSON.stringify writes inside an array exactly as canonicalJson does. */
function isPlain(v: unknown): boolean {
  const t = typeof v;
  return v === null || v === undefined || t === 'number' || t === 'string' || t === 'boolean';
}
