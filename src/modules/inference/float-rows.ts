const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const COMMA = 44;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const LOWER_E = 101;
const UPPER_E = 69;
const KEY = Buffer.from('"instances"');

/** Powers of ten a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const EXACT_INTEGER = 2 ** 53;
/**
 * Numbers converted the slow way before the body is left to JSON.parse: over 40 digits, a power of ten past 10^±44,
 * or within 2^-40 of a float32 rounding boundary.
 */
const SLOW_NUMBERS = 4;

export interface FloatRows {
  data: Float32Array;
  rows: number;
}

/**
 * Reads a body of exactly the form `{"instances": [[n, ...], ...]}` (JSON whitespace anywhere), as bytes, into a
 * row-major Float32Array without building the JSON tree: for a 256-row request JSON.parse and a typed loop take
 * about 1.5 times as long (`npm run bench:float-rows`; the same scan over a string is no faster than JSON.parse).
 * Anything else gives null: another key, a row of another length, a value that is not a number or that float32
 * cannot hold, more than maxRows rows, malformed JSON, many numbers only Number() converts exactly. The caller then
 * parses the body as JSON and reports any problem as usual, so this path never decides an error, and it builds no
 * object a crafted key could poison.
 */
export function readFloatRows(bytes: Buffer, width: number, maxRows: number): FloatRows | null {
  let i = skip(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return null;
  i = skip(bytes, i + 1);
  for (let k = 0; k < KEY.length; k++) if (bytes[i + k] !== KEY[k]) return null;
  i = skip(bytes, i + KEY.length);
  if (bytes[i] !== COLON) return null;
  i = skip(bytes, i + 1);
  if (bytes[i] !== OPEN_ARRAY) return null;
  i = skip(bytes, i + 1);
  let data = scratch;
  let rows = 0;
  let out = 0;
  slowNumbers = 0;
  for (;;) {
    if (bytes[i] !== OPEN_ARRAY || rows === maxRows) return null;
    if (out + width > data.length) data = grown(data, out, out + width);
    i = skip(bytes, i + 1);
    for (let j = 0; j < width; j++) {
      if (j > 0) {
        if (bytes[i] !== COMMA) return null;
        i = skip(bytes, i + 1);
      }
      readNumber(bytes, i, data, out);
      if (slowNumbers > SLOW_NUMBERS) return null;
      // NaN (not a number here) and values past float32's range both fail this.
      if (data[out] - data[out] !== 0) return null;
      out++;
      i = skip(bytes, end);
    }
    if (bytes[i] !== CLOSE_ARRAY) return null;
    rows++;
    i = skip(bytes, i + 1);
    const c = bytes[i];
    if (c === CLOSE_ARRAY) break;
    if (c !== COMMA) return null;
    i = skip(bytes, i + 1);
  }
  i = skip(bytes, i + 1);
  if (bytes[i] !== CLOSE_OBJECT || skip(bytes, i + 1) !== bytes.length) return null;
  if (data.length <= SCRATCH_KEPT) scratch = data;
  return { data: data.slice(0, out), rows };
}

/**
 * Values are read into one buffer reused from call to call (the reader is synchronous), grown for a larger body;
 * one of more than SCRATCH_KEPT values is not kept. Only the answer, of the exact size, is allocated per call.
 */
let scratch = new Float32Array(4096);
const SCRATCH_KEPT = 1 << 20;

function grown(data: Float32Array, used: number, needed: number): Float32Array<ArrayBuffer> {
  const bigger = new Float32Array(Math.max(needed, data.length * 2));
  bigger.set(data.subarray(0, used));
  return bigger;
}

function skip(bytes: Buffer, i: number): number {
  let c = bytes[i];
  while (c === SPACE || c === LF || c === CR || c === TAB) c = bytes[++i];
  return i;
}

/** Where the last readNumber stopped, and how many numbers of this body it converted with Number(). */
let end = 0;
let slowNumbers = 0;

/** Digits beyond these, or a power of ten beyond 10^±44, go to Number(). */
const MAX_DIGITS = 40;
const MAX_EXPONENT = 44;
/**
 * The approximate path's error is below 83 x 2^-53 of the value (at most two roundings of 2^-53 per digit while the
 * digits add up, 80 in all, two in the scaling, one between the decimal and JSON.parse's double), so a window of
 * 2^-44 (256 x 2^-53) either side surely holds JSON.parse's double. About one value in 700,000 has a float32
 * rounding boundary that close.
 */
const WINDOW = 2 ** -44;

/**
 * Stores the JSON number at i into data[out] as float32 rounds JSON.parse's value, NaN when there is none (stored,
 * not returned: a returned double is boxed, one allocation per number). With digits that make an integer below 2^53
 * and a power of ten up to 22, both factors are exact and one division or multiplication rounds correctly
 * (Clinger's fast path): the value is JSON.parse's own. Longer numbers (full-precision doubles have 17 digits) are
 * computed with a small error; since float32 rounding is monotonic, when both ends of a window wider than that error
 * round to the same float32, JSON.parse's double does too. Otherwise Number() converts it exactly.
 */
function readNumber(bytes: Buffer, i: number, data: Float32Array, out: number): void {
  const start = i;
  let c = bytes[i];
  const negative = c === MINUS;
  if (negative) c = bytes[++i];
  let mantissa = 0;
  let exponent = 0;
  const digitsFrom = i;
  if (c === ZERO) c = bytes[++i];
  else if (c > ZERO && c <= NINE) {
    do {
      mantissa = mantissa * 10 + (c - ZERO);
      c = bytes[++i];
    } while (c >= ZERO && c <= NINE);
  } else {
    data[out] = NaN;
    return;
  }
  let digits = i - digitsFrom;
  if (c === DOT) {
    c = bytes[++i];
    if (!(c >= ZERO && c <= NINE)) {
      data[out] = NaN;
      return;
    }
    const from = i;
    do {
      mantissa = mantissa * 10 + (c - ZERO);
      c = bytes[++i];
    } while (c >= ZERO && c <= NINE);
    exponent = from - i;
    digits -= exponent;
  }
  if (c === LOWER_E || c === UPPER_E) {
    c = bytes[++i];
    let sign = 1;
    if (c === PLUS || c === MINUS) {
      if (c === MINUS) sign = -1;
      c = bytes[++i];
    }
    if (!(c >= ZERO && c <= NINE)) {
      data[out] = NaN;
      return;
    }
    let e = 0;
    do {
      if (e < 1e6) e = e * 10 + (c - ZERO);
      c = bytes[++i];
    } while (c >= ZERO && c <= NINE);
    exponent += sign * e;
  }
  end = i;
  // Below 2^53 every step of the mantissa was exact; at or above it, the sum may have rounded (even down to 2^53).
  if (mantissa < EXACT_INTEGER && exponent >= -22 && exponent <= 22) {
    const value = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
    data[out] = negative ? -value : value;
    return;
  }
  if (digits <= MAX_DIGITS && exponent >= -MAX_EXPONENT && exponent <= MAX_EXPONENT) {
    const value = scaled(mantissa, exponent);
    const low = Math.fround(value - value * WINDOW);
    if (low === Math.fround(value + value * WINDOW)) {
      data[out] = negative ? -low : low;
      return;
    }
  }
  slowNumbers++;
  data[out] = Number(bytes.toString('latin1', start, i));
}

function scaled(mantissa: number, exponent: number): number {
  if (exponent < -22) return mantissa / 1e22 / POW10[-exponent - 22];
  if (exponent < 0) return mantissa / POW10[-exponent];
  if (exponent > 22) return mantissa * 1e22 * POW10[exponent - 22];
  return mantissa * POW10[exponent];
}
