/**
 * Numbers as the float32 tensor the row encoder would build from them; null when one is not finite in float32
 * (NaN, Infinity, or past float32's range), which the row encoder refuses with a row error.
 */
export function toFloatMatrix(values: Float64Array): Float32Array | null {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i];
    if (out[i] - out[i] !== 0) return null;
  }
  return out;
}
