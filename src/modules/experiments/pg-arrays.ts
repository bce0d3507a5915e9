/**
 * PostgreSQL array literals built by hand: pg's own encoding of a flush's arrays (a type check per value, a Date
 * formatted per row) cost more main-thread time than the rest of a routed request's extra work.
 */

/** A PostgreSQL array literal of strings: each quoted, `"` and `\` escaped; null as NULL. */
export function textArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else out += `"${ESCAPED.test(v) ? v.replace(ESCAPED_ALL, '\\$&') : v}"`;
  }
  return `${out}}`;
}

/** A PostgreSQL array literal of numbers (finite) or booleans, null as NULL. */
export function numberArray(values: readonly (number | boolean | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += values[i] === null ? 'NULL' : String(values[i]);
  }
  return `${out}}`;
}

const ESCAPED = /["\\]/;
const ESCAPED_ALL = /["\\]/g;
