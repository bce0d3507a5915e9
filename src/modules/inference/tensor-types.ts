/** Element types we can feed from JSON numbers, with their typed-array constructor and OIP datatype. */
export type NumericTensorType =
  'float32' | 'float64' | 'int32' | 'int64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'uint32';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Uint32Array;

interface TypeInfo {
  oip: string;
  integer: boolean;
  min?: number;
  max?: number;
  create: (n: number) => NumericArray;
}

export const TENSOR_TYPES: Record<NumericTensorType, TypeInfo> = {
  float32: { oip: 'FP32', integer: false, create: (n) => new Float32Array(n) },
  float64: { oip: 'FP64', integer: false, create: (n) => new Float64Array(n) },
  int32: { oip: 'INT32', integer: true, min: -(2 ** 31), max: 2 ** 31 - 1, create: (n) => new Int32Array(n) },
  int64: {
    oip: 'INT64',
    integer: true,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    create: (n) => new BigInt64Array(n),
  },
  int8: { oip: 'INT8', integer: true, min: -128, max: 127, create: (n) => new Int8Array(n) },
  uint8: { oip: 'UINT8', integer: true, min: 0, max: 255, create: (n) => new Uint8Array(n) },
  int16: { oip: 'INT16', integer: true, min: -32768, max: 32767, create: (n) => new Int16Array(n) },
  uint16: { oip: 'UINT16', integer: true, min: 0, max: 65535, create: (n) => new Uint16Array(n) },
  uint32: { oip: 'UINT32', integer: true, min: 0, max: 2 ** 32 - 1, create: (n) => new Uint32Array(n) },
};

export const OIP_TO_TENSOR: Record<string, NumericTensorType> = Object.fromEntries(
  Object.entries(TENSOR_TYPES).map(([t, info]) => [info.oip, t as NumericTensorType]),
);

/** OIP datatype of any ONNX element type (non-numeric ones included, for metadata). */
export function oipDatatype(type: string): string {
  if (type in TENSOR_TYPES) return TENSOR_TYPES[type as NumericTensorType].oip;
  return { bool: 'BOOL', string: 'BYTES', float16: 'FP16', uint64: 'UINT64' }[type] ?? type.toUpperCase();
}

export function isNumericType(type: string): type is NumericTensorType {
  return type in TENSOR_TYPES;
}

export function writeNumber(target: NumericArray, index: number, value: number): void {
  if (target instanceof BigInt64Array) target[index] = BigInt(value);
  else target[index] = value;
}

/** Copies `source` into `target` at `offset` (same element type). */
export function copyInto(target: NumericArray, source: NumericArray, offset: number): void {
  (target as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(source, offset);
}
