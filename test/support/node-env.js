// onnxruntime-node creates typed arrays in the outer realm; jest's vm realm has its own constructors, so
// instanceof checks inside onnxruntime fail unless the sandbox shares the outer ones.
const { TestEnvironment } = require('jest-environment-node');
const SHARED = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];
module.exports = class extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const k of SHARED) this.global[k] = globalThis[k];
  }
};
